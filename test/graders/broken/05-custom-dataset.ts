import { stub, type Edit, type Mutant } from '../mutants.ts';

// Mistakes in 05-custom-dataset, made to the worked solution (solutions/05-custom-dataset/) at test
// time and graded by test/graders/exercise-05.test.ts. Every variant also turns `train` into a
// todo() stub, so that grading one never runs the training check: it reads "not started".

const exercise = '05-custom-dataset';

/** pipeline.ts without a training run. */
const noTraining: Edit[] = [
  {
    file: 'pipeline.ts',
    find: "import { transforms } from '#engine/vision';\n",
    replace: "import { transforms } from '#engine/vision';\nimport { todo } from '#kit/todo';\n",
  },
  stub(
    'pipeline.ts',
    'train',
    "  return todo('train', root, options); // not written: keeps this variant cheap to grade",
  ),
];

const mutant = (variant: string, why: string, ...edits: Edit[]): Mutant => ({
  exercise,
  variant,
  why,
  edits: [...edits, ...noTraining],
});

export const customDataset: Mutant[] = [
  mutant('label-from-one', 'class indices start at 1', {
    file: 'digits.ts',
    find: 'this.classes.map((name, i) => [name, i])',
    replace: 'this.classes.map((name, i) => [name, i + 1])',
  }),
  mutant('hidden-files', "hidden files (macOS's ._ files, a .thumbnails folder) are listed", {
    file: 'digits.ts',
    find: '!isHidden(file) && ',
    replace: '',
  }),
  mutant(
    'hwc',
    'toTensor keeps the bytes in HWC order',
    { file: 'digits.ts', find: 'out[c * plane + p] =', replace: 'out[p * channels + c] =' },
    { file: 'digits.ts', find: 'shape: [channels, height, width]', replace: 'shape: [height, width, channels]' },
  ),
  mutant('no-255', 'toTensor does not divide by 255', {
    file: 'digits.ts',
    find: 'data[p * channels + c]! / 255;',
    replace: 'data[p * channels + c]!;',
  }),
  mutant(
    'eager',
    'the constructor decodes every image and getItem hands out those',
    {
      file: 'digits.ts',
      find: '        .map((file): [string, number] => [join(this.root, name, file), this.classToIdx[name]!]),\n    );\n',
      replace:
        '        .map((file): [string, number] => [join(this.root, name, file), this.classToIdx[name]!]),\n    );\n' +
        "    (this as unknown as { images: Image[] }).images = this.samples.map(([p]) => Image.convert(Image.open(p), 'L'));\n",
    },
    {
      file: 'digits.ts',
      find: "    const image = Image.convert(Image.open(path), 'L');\n",
      replace:
        '    const image = (this as unknown as { images: Image[] }).images[this.samples.findIndex(([p]) => p === path)]!;\n',
    },
  ),
  mutant('negative-index', 'getItem does not count negative indices from the end', {
    file: 'digits.ts',
    find: 'this.samples[index < 0 ? index + this.length : index]!',
    replace: 'this.samples[index]!',
  }),
  mutant('normalize-twice', 'evalTransform normalises twice', {
    file: 'pipeline.ts',
    find: 'new transforms.Compose([toTensor, new transforms.Normalize([MEAN], [STD])])',
    replace:
      'new transforms.Compose([toTensor, new transforms.Normalize([MEAN], [STD]), new transforms.Normalize([MEAN], [STD])])',
  }),
  mutant('split-without-generator', 'randomSplit draws from the default generator', {
    file: 'pipeline.ts',
    find: '    [1 - validation, validation],\n    new torch.Generator(seed),\n',
    replace: '    [1 - validation, validation],\n',
  }),
  mutant('validation-drop-last', 'the validation loader drops its last, smaller batch', {
    file: 'pipeline.ts',
    find: 'new torch.utils.data.DataLoader(heldOut, { batchSize,',
    replace: 'new torch.utils.data.DataLoader(heldOut, { dropLast: true, batchSize,',
  }),
  mutant('train-not-shuffled', 'the training loader does not shuffle: every epoch sees the same order', {
    file: 'pipeline.ts',
    find: '      shuffle: true,\n',
    replace: '      shuffle: false, // BUG: the same order every epoch\n',
  }),
  mutant(
    'evaluate-in-training-mode',
    'evaluate forgets model.eval(): the Dropout of a model drops units while scoring',
    {
      file: 'pipeline.ts',
      find: '  model.eval();\n  return torch.noGrad(async () => {',
      replace: '  // BUG: no model.eval()\n  return torch.noGrad(async () => {',
    },
  ),
  // The one variant that trains: the mistake is in train itself (the check costs a training run).
  // Its accuracies are those of the batches it trained on, a common slip that costs nothing more
  // than the solution's run (evaluating on the training loader each epoch instead costs 5,400 more
  // images an epoch, for the same check and message).
  {
    exercise,
    variant: 'accuracy-on-train',
    why: "train reports each epoch's accuracy on the training batches instead of the validation part",
    edits: [
      {
        file: 'pipeline.ts',
        find: '    model.train();\n    for await (const [x, y] of data.train) {\n      optimizer.zeroGrad();\n      criterion.call(model.call(x), y).backward();\n',
        replace:
          '    model.train();\n    let correct = 0;\n    let seen = 0;\n    for await (const [x, y] of data.train) {\n      optimizer.zeroGrad();\n      const logits = model.call(x);\n      criterion.call(logits, y).backward();\n      correct += await logits.argmax(1).eq(y).sum().item();\n      seen += y.shape[0]!;\n',
      },
      {
        file: 'pipeline.ts',
        find: 'accuracies.push(await evaluate(model, data.validation));',
        replace: 'accuracies.push(correct / seen); // BUG: the training batches, not the validation part',
      },
    ],
  },
];
