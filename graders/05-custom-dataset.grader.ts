// Grades exercises/05-custom-dataset: a Dataset over a folder of PNG digits (listing, getItem,
// laziness), the image-to-tensor step, the evaluation and training transforms, the loaders (split,
// workers, last batch) and a short training run. The folders are written by the grader from the
// real MNIST into the run's scratch folder (folders.ts) and removed afterwards.
//
// Cost: the folders are ~7,000 small PNGs (about a second to write on a quiet 2-core machine);
// training is the learner's `train` for 3 epochs over 5,401 images with 2 DataLoader workers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterChecks, check, expectClose, expectEqual, fail, loadTarget, pointingAt, text } from '#kit/grader';
import { same } from '#kit/text';
import { scratchRoot } from '#kit/env';
import { checkAccuracy } from '#kit/evaluate';
import * as torch from '#engine';
import { encodePng } from '#engine/io/png';
import type { Image } from '#engine/vision';
import { writeDigits, writeOddClasses, type Folder, type Sample } from './05-custom-dataset/folders.ts';

type Digits = typeof import('../exercises/05-custom-dataset/digits.ts');
type Pipeline = typeof import('../exercises/05-custom-dataset/pipeline.ts');

// A value failure points the report's `next:` line at the declaration the check grades.
const inDigits = pointingAt('05-custom-dataset', 'digits.ts');
const inPipeline = pointingAt('05-custom-dataset', 'pipeline.ts');
const EXERCISE = '05-custom-dataset';
const digits = () => loadTarget<Digits>(EXERCISE, 'digits.ts');
const pipeline = () => loadTarget<Pipeline>(EXERCISE, 'pipeline.ts');

const MEAN = 0.1307;
const STD = 0.3081;
/**
 * Training images, held-out test images, and the accuracy the short run must reach on the latter.
 * 6,001 splits into 5,401 training and 600 validation images, which share no factor: an accuracy
 * counted over the training part is never a whole number of validation images.
 */
const TRAIN_IMAGES = 6_001;
const TEST_IMAGES = 1_000;
const MIN_ACCURACY = 0.9;

// ---- the folders, written on first use into this run's scratch folder ---------------------------

let base: string | undefined;
const folders = new Map<string, Folder>();
// Thousands of files: removing them takes a while on a busy machine.
afterChecks(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

function scratch(): string {
  return (base ??= mkdtempSync(join(scratchRoot(), 'digits-')));
}

/** 'small': 300 training digits with the strays; 'train' and 'test' for the training run; 'odd': odd class names. */
function folder(name: 'small' | 'train' | 'test' | 'odd'): Folder {
  let f = folders.get(name);
  if (!f) {
    const root = join(scratch(), name);
    f =
      name === 'odd'
        ? writeOddClasses(root)
        : name === 'test'
          ? writeDigits(root, 'test', TEST_IMAGES, false)
          : writeDigits(root, 'train', name === 'small' ? 300 : TRAIN_IMAGES, true);
    folders.set(name, f);
  }
  return f;
}

const shown = (f: Folder, path: string) => path.slice(f.root.length + 1);

/** The samples randomSplit(…, [1 − fraction, fraction], new torch.Generator(seed)) holds out of `f`, in order. */
function heldOut(f: Folder, fraction: number, seed: number): Sample[] {
  const index = new torch.utils.data.TensorDataset(torch.arange(0, f.samples.length));
  const [, part] = torch.utils.data.randomSplit(index, [1 - fraction, fraction], new torch.Generator(seed));
  return (part as torch.utils.data.Subset<unknown>).indices.map((i) => f.samples[i]!);
}

/** How many of `samples` the model classifies right, in eval mode, without a graph. */
async function correctOn(model: torch.nn.Module, samples: Sample[]): Promise<number> {
  const x = torch.stack(samples.map((s) => normalised(s.pixels)));
  const y = torch.tensor(
    samples.map((s) => s.label),
    { dtype: 'int32' },
  );
  model.eval();
  const logits = torch.noGrad(() => model.call(x) as torch.Tensor);
  return await logits.argmax(1).eq(y).sum().item();
}

/** (p/255 − mean)/std for 28×28 pixels, as [1, 28, 28]. */
function normalised(pixels: Uint8Array, times = 1): torch.Tensor {
  let x = torch.tensor(
    Float32Array.from(pixels, (v) => v / 255),
    { shape: [1, 28, 28] },
  );
  for (let k = 0; k < times; k++) x = x.sub(MEAN).div(STD);
  return x;
}

/** A dataset index for fast-check to draw, Python-style: negatives count from the end. */
const pythonIndex = (n: number) => fc.integer({ min: -n, max: n - 1 });
const wrap = (i: number, n: number) => (i < 0 ? i + n : i);

// ---- listing ------------------------------------------------------------------------------------

check(
  {
    id: 'listing',
    points: 2,
    title: text(
      'classes, classToIdx, length and the file list, as ImageFolder makes them',
      'classes, classToIdx, length, 파일 목록이 ImageFolder 와 같은가',
    ),
    hint: text(
      'Classes are the sub-folders of root, sorted as strings (readdir order differs between machines); files are the .png (any case) in each, sorted; skip names starting with "." (macOS ._ files are not images).',
      '클래스는 root 의 하위 폴더 이름을 문자열로 정렬한 것 (readdir 순서는 기계마다 다름). 파일은 각 폴더의 .png (대소문자 무관) 를 정렬해서. "." 으로 시작하는 이름은 건너뛰세요 (macOS 의 ._ 파일은 이미지가 아닙니다).',
    ),
    guide: '§6.4',
  },
  inDigits('DigitFolder.constructor', async () => {
    const { DigitFolder } = await digits();
    const odd = folder('odd');
    const ds = new DigitFolder(odd.root);
    const classes = [...ds.classes];
    if (JSON.stringify(classes) !== JSON.stringify(odd.classes)) {
      const numeric =
        JSON.stringify(classes) === JSON.stringify([...odd.classes].sort((a, b) => Number(a) - Number(b)));
      fail(
        text(
          `classes of a folder with ${odd.classes.join(', ')} (and a .git folder) is ${JSON.stringify(classes)}`,
          `${odd.classes.join(', ')} (와 .git 폴더) 가 있는 폴더의 classes 가 ${JSON.stringify(classes)} 입니다`,
        ),
        text(`expected ${JSON.stringify(odd.classes)}`, `기대값 ${JSON.stringify(odd.classes)}`),
        ...(numeric
          ? [
              text(
                "sorted as numbers: ImageFolder sorts names as strings, so '10' comes before '2'",
                "숫자로 정렬했습니다: ImageFolder 는 이름을 문자열로 정렬하므로 '10' 이 '2' 앞입니다",
              ),
            ]
          : classes.some((c) => c.startsWith('.'))
            ? [
                text(
                  'a hidden folder is no class: skip names starting with "."',
                  '숨김 폴더는 클래스가 아닙니다: "." 으로 시작하는 이름은 건너뛰세요',
                ),
              ]
            : []),
      );
    }
    const want = Object.fromEntries(odd.classes.map((c, i) => [c, i]));
    const got = { ...ds.classToIdx };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      const offByOne = odd.classes.every((c, i) => got[c] === i + 1);
      fail(
        text(
          `classToIdx is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
          `classToIdx 가 ${JSON.stringify(got)} 인데 ${JSON.stringify(want)} 이어야 합니다`,
        ),
        ...(offByOne
          ? [
              text(
                'labels are off by one: class indices start at 0',
                '라벨이 하나씩 밀렸습니다: 클래스 인덱스는 0 부터입니다',
              ),
            ]
          : []),
      );
    }
    await expectEqual(
      ds.length,
      odd.samples.length,
      `length of ${odd.classes.length} classes holding 3, 2, 1 and 2 images`,
    );
    for (const f of [odd, folder('small')]) {
      const listed = new DigitFolder(f.root).samples.map(([p, y]) => `${shown(f, p)} → ${y}`);
      const expected = f.samples.map((s) => `${shown(f, s.path)} → ${s.label}`);
      const extra = listed.filter((l) => !expected.includes(l));
      const missing = expected.filter((l) => !listed.includes(l));
      if (extra.length || missing.length || listed.join() !== expected.join()) {
        fail(
          text(
            `samples of ${f === odd ? 'the odd-classes folder' : 'a 300-image folder'} differ from ImageFolder's list`,
            `${f === odd ? '특이한 클래스 폴더' : '300 장 폴더'} 의 samples 가 ImageFolder 의 목록과 다릅니다`,
          ),
          ...(extra.length
            ? [
                text(
                  `listed but not images of a class: ${extra.slice(0, 3).join(', ')}`,
                  `클래스의 이미지가 아닌데 목록에 있음: ${extra.slice(0, 3).join(', ')}`,
                ),
              ]
            : []),
          ...(missing.length
            ? [text(`missing: ${missing.slice(0, 3).join(', ')}`, `빠짐: ${missing.slice(0, 3).join(', ')}`)]
            : []),
          ...(!extra.length && !missing.length
            ? [
                text(
                  'the right files in another order: sort the file names of each class',
                  '파일은 맞지만 순서가 다릅니다: 클래스마다 파일 이름을 정렬하세요',
                ),
              ]
            : []),
        );
      }
    }
  }),
);

// ---- getItem ------------------------------------------------------------------------------------

check(
  {
    id: 'get-item',
    points: 2,
    title: text(
      'getItem(i): the decoded gray pixels through the transform, and the label; Python indices',
      'getItem(i): 디코딩한 흑백 픽셀에 transform 을 적용한 값과 라벨, 파이썬식 인덱스',
    ),
    hint: text(
      'Read the file in getItem: Image.convert(Image.open(path), "L") (an RGB file becomes one channel), then return [this.transform(image) (or .call), label]. −1 is the last item; index ≥ length or < −length throws a RangeError.',
      'getItem 에서 파일을 읽으세요: Image.convert(Image.open(path), "L") (RGB 파일도 한 채널이 됩니다), 그리고 [this.transform(image) (또는 .call), 라벨] 을 돌려줍니다. −1 은 마지막 항목, index ≥ length 나 < −length 는 RangeError.',
    ),
    guide: '§6.4',
  },
  inDigits('DigitFolder.getItem', async ({ seed }) => {
    const { DigitFolder } = await digits();
    const f = folder('small');
    // The grader's own transform sees exactly the image getItem decoded.
    const seen: Image[] = [];
    const ds = new DigitFolder(f.root, (image: Image) => {
      seen.push(image);
      return torch.zeros([1]);
    });
    const n = f.samples.length;
    const rgb = f.samples.findIndex((s) => s.path.endsWith('00007.png'));
    const examine = async (i: number) => {
      seen.length = 0;
      const s = f.samples[wrap(i, n)]!;
      let item: unknown;
      try {
        item = await ds.getItem(i);
      } catch (e) {
        fail(
          text(
            `getItem(${i}) of a dataset of length ${n} threw: ${(e as Error).message}`,
            `길이 ${n} 인 데이터셋의 getItem(${i}) 이 예외를 던졌습니다: ${(e as Error).message}`,
          ),
          ...(i < 0
            ? [
                text(
                  `negative indices count from the end, as in Python: getItem(${i}) is item ${i + n}`,
                  `음수 인덱스는 파이썬처럼 끝에서 셉니다: getItem(${i}) 은 ${i + n} 번째 항목`,
                ),
              ]
            : []),
        );
      }
      if (!Array.isArray(item) || item.length !== 2)
        fail(
          text(
            `getItem(${i}) should return [image, label], got ${typeof item}`,
            `getItem(${i}) 은 [이미지, 라벨] 을 돌려줘야 하는데 ${typeof item} 입니다`,
          ),
        );
      const image = seen[0];
      if (!image)
        fail(
          text(
            `getItem(${i}) did not pass the image to this.transform`,
            `getItem(${i}) 이 이미지를 this.transform 에 넘기지 않았습니다`,
          ),
        );
      const what = `getItem(${i}) (${shown(f, s.path)}${i === rgb ? ', an RGB file' : ''})`;
      if (image.width !== 28 || image.height !== 28 || image.channels !== 1) {
        fail(
          text(
            `${what} gave the transform a ${image.width}×${image.height} image with ${image.channels} channels; expected 28×28, 1 channel`,
            `${what} 가 transform 에 ${image.width}×${image.height}, ${image.channels} 채널 이미지를 넘겼습니다. 28×28, 1 채널이어야 합니다`,
          ),
          ...(image.channels === 3
            ? [text('convert to gray: Image.convert(img, "L")', '흑백으로 바꾸세요: Image.convert(img, "L")')]
            : []),
        );
      }
      await expectEqual(Array.from(image.data), Array.from(s.pixels), `${what} pixels`);
      const label = (item as unknown[])[1];
      if (label !== s.label) {
        fail(
          text(
            `${what}: label ${String(label)}, expected ${s.label} (its folder)`,
            `${what}: 라벨이 ${String(label)} 인데 ${s.label} (폴더) 이어야 합니다`,
          ),
          ...(label === s.label + 1
            ? [
                text(
                  'labels are off by one: class indices start at 0',
                  '라벨이 하나씩 밀렸습니다: 클래스 인덱스는 0 부터입니다',
                ),
              ]
            : []),
        );
      }
    };
    await examine(rgb);
    await examine(-1);
    await examine(-n);
    await fc.assert(fc.asyncProperty(pythonIndex(n), examine), { seed, numRuns: 20 });
    for (const bad of [n, -n - 1]) {
      let threw = false;
      try {
        await ds.getItem(bad);
      } catch {
        threw = true;
      }
      if (!threw)
        fail(
          text(
            `getItem(${bad}) of a dataset of length ${n} should throw (out of range)`,
            `길이 ${n} 인 데이터셋의 getItem(${bad}) 은 예외를 던져야 합니다 (범위 밖)`,
          ),
        );
    }
  }),
);

// ---- toTensor -----------------------------------------------------------------------------------

check(
  {
    id: 'to-tensor',
    points: 2,
    title: text(
      'toTensor: an image to a [C, H, W] float32 tensor in [0, 1]',
      'toTensor: 이미지를 [C, H, W] float32, 값 [0, 1] 텐서로',
    ),
    hint: text(
      'The bytes are HWC (pixel by pixel); the tensor is CHW: value of channel c at pixel p goes to c·H·W + p, divided by 255.',
      '바이트는 HWC (픽셀마다 채널이 붙어 있음), 텐서는 CHW 입니다: 픽셀 p 의 채널 c 값은 c·H·W + p 자리로, 255 로 나눠서.',
    ),
    guide: '§6.2',
  },
  inDigits('toTensor', async ({ rng }) => {
    const { toTensor } = await digits();
    for (const [channels, width, height] of [
      [1, 3, 2],
      [3, 2, 2],
    ] as const) {
      const data = Uint8Array.from({ length: width * height * channels }, () => rng.int(0, 256));
      const got = toTensor({ width, height, channels, data });
      const want = Array.from({ length: channels }, (_, c) =>
        Array.from({ length: height }, (_, y) =>
          Array.from({ length: width }, (_, x) => data[(y * width + x) * channels + c]! / 255),
        ),
      );
      const what = `toTensor(a ${width}×${height} image with ${channels} channel${channels > 1 ? 's' : ''})`;
      if (got instanceof torch.Tensor && got.shape.join() === [height, width, channels].join()) {
        fail(
          text(
            `${what} has shape [${got.shape.join(', ')}]: that is HWC, the bytes' order`,
            `${what} 의 모양이 [${got.shape.join(', ')}] 입니다: 바이트 순서인 HWC 입니다`,
          ),
          text('PyTorch wants channels first: [C, H, W]', 'PyTorch 는 채널이 먼저인 [C, H, W] 를 씁니다'),
        );
      }
      await expectClose(got, want, {
        what,
        atol: 1e-6,
        rtol: 0,
        diagnose: (g, w) =>
          g.every((v, i) => Math.abs(v - 255 * w[i]!) < 1e-3)
            ? text('values are 0…255: divide by 255', '값이 0…255 입니다: 255 로 나누세요')
            : undefined,
      });
    }
  }),
);

// ---- laziness -----------------------------------------------------------------------------------

check(
  {
    id: 'lazy',
    points: 2,
    title: text(
      'the dataset reads images in getItem, not in its constructor',
      '데이터셋이 이미지를 생성자가 아니라 getItem 에서 읽는가',
    ),
    hint: text(
      'The constructor lists files and labels only; getItem(i) opens and decodes file i. A folder of a million images then costs a million paths, not a million images.',
      '생성자는 파일과 라벨의 목록만 만들고, getItem(i) 가 i 번째 파일을 열어 디코딩합니다. 그래야 이미지 백만 장짜리 폴더도 경로 백만 개 만큼만 듭니다.',
    ),
    guide: '§6.4',
  },
  inDigits('DigitFolder.constructor', async () => {
    const { DigitFolder } = await digits();
    const f = folder('small');
    await torch.memory.collect();
    const before = torch.memory.allocated();
    const ds = new DigitFolder(f.root);
    await torch.memory.collect();
    const held = torch.memory.allocated() - before;
    if (held > 64 * 1024) {
      fail(
        text(
          `after new DigitFolder(…) over ${ds.length} images, before any getItem, tensors hold ${(held / 1024).toFixed(0)} KiB`,
          `이미지 ${ds.length} 장 폴더로 new DigitFolder(…) 한 뒤, getItem 전에 텐서가 ${(held / 1024).toFixed(0)} KiB 를 차지합니다`,
        ),
        text(
          'the constructor read every image: read each one in getItem instead',
          '생성자가 모든 이미지를 읽었습니다: getItem 에서 하나씩 읽으세요',
        ),
      );
    }
    // A file changed after the dataset was made is read as it is now.
    const root = join(scratch(), 'lazy');
    const one = writeOddClasses(root);
    const lazy = new DigitFolder(root);
    const target = one.samples[0]!;
    const fresh = Uint8Array.from(target.pixels, (v) => 255 - v);
    writeFileSync(target.path, encodePng({ width: 28, height: 28, channels: 1, data: fresh }));
    const [x] = await lazy.getItem(0);
    const want = torch.tensor(
      Float32Array.from(fresh, (v) => v / 255),
      { shape: [1, 28, 28] },
    );
    const same = await (x as torch.Tensor).sub(want).abs().max().item();
    if (!(same < 1e-6)) {
      fail(
        text(
          `getItem(0) returned the pixels ${shown(one, target.path)} had when the dataset was made, not its pixels now`,
          `getItem(0) 이 ${shown(one, target.path)} 의 지금 픽셀이 아니라 데이터셋을 만들 때의 픽셀을 돌려줬습니다`,
        ),
        text(
          'the constructor read the images: read each one in getItem',
          '생성자가 이미지를 읽었습니다: getItem 에서 하나씩 읽으세요',
        ),
      );
    }
  }),
);

// ---- transforms ---------------------------------------------------------------------------------

const digitImage = (s: Sample): Image => ({ width: 28, height: 28, channels: 1, data: Uint8Array.from(s.pixels) });

check(
  {
    id: 'eval-transform',
    points: 2,
    title: text(
      'evalTransform: to a tensor, normalised once, nothing random',
      'evalTransform: 텐서로, 정규화 한 번, 무작위 없음',
    ),
    hint: text(
      'Compose([toTensor, new transforms.Normalize([MEAN], [STD])]): (x/255 − 0.1307) / 0.3081. No random transform in evaluation.',
      'Compose([toTensor, new transforms.Normalize([MEAN], [STD])]): (x/255 − 0.1307) / 0.3081. 평가에는 무작위 변환을 쓰지 않습니다.',
    ),
    guide: '§6.2',
  },
  inPipeline('evalTransform', async ({ rng }) => {
    const { evalTransform } = await pipeline();
    const f = folder('small');
    const s = f.samples[rng.int(0, f.samples.length)]!;
    const t = evalTransform();
    const apply = (seed: number) => {
      torch.manualSeed(seed);
      return typeof t === 'function' ? t(digitImage(s)) : t.call(digitImage(s));
    };
    const want = await normalised(s.pixels).toArray();
    const twice = await normalised(s.pixels, 2).data();
    const raw = Array.from(s.pixels, (v) => (v - MEAN) / STD);
    await expectClose(apply(1), want, {
      what: `evalTransform()(${shown(f, s.path)})`,
      atol: 1e-5,
      diagnose: (g) =>
        g.every((v, i) => Math.abs(v - twice[i]!) < 1e-3)
          ? text(
              'normalised twice: once is (x − mean) / std',
              '두 번 정규화했습니다: 한 번이면 (x − mean) / std 입니다',
            )
          : g.every((v, i) => Math.abs(v - raw[i]!) < 1e-2)
            ? text(
                'normalised 0…255 values: divide by 255 first (toTensor)',
                '0…255 값을 정규화했습니다: 먼저 255 로 나누세요 (toTensor)',
              )
            : g.every((v, i) => Math.abs(v - s.pixels[i]! / 255) < 1e-6)
              ? text(
                  'not normalised: add Normalize([MEAN], [STD]) after toTensor',
                  '정규화하지 않았습니다: toTensor 뒤에 Normalize([MEAN], [STD]) 를 넣으세요',
                )
              : undefined,
    });
    await expectClose(apply(2), want, { what: 'evalTransform() under another seed', atol: 1e-5 });
  }),
);

check(
  {
    id: 'train-transform',
    points: 2,
    title: text(
      'trainTransform: random augmentation, reproducible under a seed, then normalised',
      'trainTransform: 무작위 증강, 시드가 같으면 재현, 그리고 정규화',
    ),
    hint: text(
      'Compose([new transforms.RandomAffine(8, { translate: [0.08, 0.08] }), toTensor, Normalize]): random transforms draw from the default generator, so torch.manualSeed(s) repeats them.',
      'Compose([new transforms.RandomAffine(8, { translate: [0.08, 0.08] }), toTensor, Normalize]): 무작위 변환은 기본 생성기에서 뽑으므로 torch.manualSeed(s) 가 같으면 같은 결과입니다.',
    ),
    guide: '§6.2',
  },
  inPipeline('trainTransform', async ({ seed }) => {
    const { trainTransform } = await pipeline();
    const f = folder('small');
    const s = f.samples[3]!;
    const t = trainTransform();
    const run = async (sd: number) => {
      torch.manualSeed(sd);
      const out = typeof t === 'function' ? t(digitImage(s)) : t.call(digitImage(s));
      await expectEqual(out.shape, [1, 28, 28], 'trainTransform() output shape');
      return Array.from(await out.data());
    };
    const first = await run(seed);
    await expectEqual(first, await run(seed), 'trainTransform() twice under torch.manualSeed(seed)');
    const plain = Array.from(await normalised(s.pixels).data());
    const varied = [];
    for (let k = 1; k <= 4; k++) varied.push(await run(seed + k));
    if (varied.every((v) => v.every((x, i) => Math.abs(x - plain[i]!) < 1e-5))) {
      fail(
        text(
          'trainTransform() gave the unchanged image under five seeds: no augmentation',
          'trainTransform() 이 다섯 시드에서 모두 원본 그대로입니다: 증강이 없습니다',
        ),
        text(
          'add a random transform (RandomAffine or RandomRotation) before toTensor',
          'toTensor 앞에 무작위 변환 (RandomAffine 이나 RandomRotation) 을 넣으세요',
        ),
      );
    }
    // The background (0) normalised once is (0 − mean) / std.
    const low = Math.min(...first);
    if (Math.abs(low - -MEAN / STD) > 1e-3) {
      fail(
        text(
          `the smallest value of trainTransform()'s output is ${low.toFixed(4)}; a normalised background pixel is ${(-MEAN / STD).toFixed(4)}`,
          `trainTransform() 출력의 최솟값이 ${low.toFixed(4)} 입니다. 정규화한 배경 픽셀은 ${(-MEAN / STD).toFixed(4)} 입니다`,
        ),
        text(
          'normalise once, after toTensor, as evalTransform does',
          'evalTransform 처럼 toTensor 뒤에 한 번 정규화하세요',
        ),
      );
    }
  }),
);

// ---- loaders ------------------------------------------------------------------------------------

/** Every batch of an epoch as [labels, x values] (x read back). */
async function epochOf(loader: AsyncIterable<torch.Tensor[]>, limit = Infinity): Promise<[number[], number[]][]> {
  const out: [number[], number[]][] = [];
  for await (const [x, y] of loader) {
    out.push([Array.from(await y!.data()), Array.from(await x!.data())]);
    if (out.length >= limit) break;
  }
  return out;
}

check(
  {
    id: 'loaders',
    points: 3,
    title: text(
      'loaders: a seeded train/validation split, workers giving the same batches, the last batch kept',
      'loaders: 시드로 정한 학습/검증 분할, 워커가 있어도 같은 배치, 마지막 배치 유지',
    ),
    hint: text(
      'randomSplit(trainSet, [1 − validation, validation], new torch.Generator(seed)); validation = new Subset(evalSet, part.indices), not shuffled, dropLast false; train shuffled with generator: new torch.Generator(seed), numWorkers.',
      'randomSplit(trainSet, [1 − validation, validation], new torch.Generator(seed)); 검증은 new Subset(evalSet, part.indices), 섞지 않고 dropLast 없이; 학습은 generator: new torch.Generator(seed) 로 섞고 numWorkers 를 씁니다.',
    ),
    guide: '§6.1',
    timeoutMs: 90_000,
  },
  inPipeline('loaders', async ({ seed }) => {
    const { loaders } = await pipeline();
    const f = folder('small');
    const n = f.samples.length;
    const batchSize = 32;
    const options = { batchSize, validation: 0.2, seed, numWorkers: 0 };
    const serial = loaders(f.root, options);
    if (JSON.stringify(serial.classes) !== JSON.stringify(f.classes))
      fail(same(`loaders(…).classes is ${JSON.stringify(serial.classes)}, expected ${JSON.stringify(f.classes)}`));
    // The grader's own split of the same length, with the same generator.
    const expected = heldOut(f, 0.2, seed);
    const validation = await epochOf(serial.validation);
    const sizes = validation.map(([y]) => y.length);
    const wantSizes = Array.from({ length: Math.ceil(expected.length / batchSize) }, (_, b) =>
      Math.min(batchSize, expected.length - b * batchSize),
    );
    if (sizes.join() !== wantSizes.join()) {
      fail(
        text(
          `validation batch sizes are ${sizes.join(', ')} for ${expected.length} images in batches of ${batchSize}; expected ${wantSizes.join(', ')}`,
          `검증 이미지 ${expected.length} 장, 배치 ${batchSize} 인데 배치 크기가 ${sizes.join(', ')} 입니다. 기대값 ${wantSizes.join(', ')}`,
        ),
        ...(sizes.length === wantSizes.length - 1
          ? [
              text(
                'the last, smaller batch is missing: every validation image counts (dropLast: false)',
                '마지막의 작은 배치가 없습니다: 검증 이미지는 모두 세야 합니다 (dropLast: false)',
              ),
            ]
          : []),
      );
    }
    const labels = validation.flatMap(([y]) => y);
    if (labels.join() !== expected.map((s) => s.label).join()) {
      fail(
        text(
          'the validation images are not those of randomSplit(…, [0.8, 0.2], new torch.Generator(seed)), in order',
          '검증 이미지가 randomSplit(…, [0.8, 0.2], new torch.Generator(seed)) 의 것이 아니거나 순서가 다릅니다',
        ),
        text(
          'split with a generator of its own, and do not shuffle the validation loader',
          '전용 생성기로 나누고, 검증 로더는 섞지 마세요',
        ),
      );
    }
    await expectClose(validation[0]![1].slice(0, 784), await normalised(expected[0]!.pixels).data(), {
      what: 'the first validation image (evalTransform: no augmentation)',
      atol: 1e-5,
    });
    await expectEqual(serial.train.dataset.length, n - expected.length, 'the training part’s length');
    // Workers: the same batches, random augmentations included.
    const first = await epochOf(serial.train, 3);
    // Each epoch reshuffles: the same order twice means a training loader that does not shuffle.
    const labelsOf = (epoch: [number[], number[]][]) => epoch.flatMap(([y]) => y).join();
    if (labelsOf(await epochOf(serial.train, 3)) === labelsOf(first))
      fail(
        text(
          'the training loader gives the same order in every epoch: shuffle it (shuffle: true, generator: new torch.Generator(seed))',
          '학습 로더가 에포크마다 같은 순서를 줍니다: 섞으세요 (shuffle: true, generator: new torch.Generator(seed))',
        ),
      );
    const parallel = await epochOf(loaders(f.root, { ...options, numWorkers: 2 }).train, 3);
    for (let b = 0; b < first.length; b++) {
      await expectEqual(
        parallel[b]?.[0] ?? [],
        first[b]![0],
        `labels of training batch ${b} with numWorkers: 2 (vs 0)`,
      );
      await expectClose(parallel[b]![1], first[b]![1], {
        what: `training batch ${b} with numWorkers: 2 (vs 0)`,
        atol: 1e-6,
      });
    }
  }),
);

// ---- evaluate -----------------------------------------------------------------------------------

check(
  {
    id: 'evaluate',
    points: 2,
    title: text(
      'evaluate: eval mode, no graph, every validation image counted',
      'evaluate: 평가 모드, 그래프 없이, 마지막 배치까지 모든 검증 이미지를 센다',
    ),
    hint: text(
      'model.eval(), then inside torch.noGrad(async () => …) sum (model.call(x).argmax(1) == y) over every batch and divide by the number of images (the last batch may be smaller).',
      'model.eval() 후 torch.noGrad(async () => …) 안에서 모든 배치의 (model.call(x).argmax(1) == y) 를 더하고 이미지 수로 나누세요 (마지막 배치는 더 작을 수 있습니다).',
    ),
    guide: '§6.4',
  },
  inPipeline('evaluate', async ({ rng }) => {
    const { evaluate } = await pipeline();
    await checkAccuracy((model, batches) => evaluate(model, batches), rng);
  }),
);

// ---- training -----------------------------------------------------------------------------------

check(
  {
    id: 'train',
    points: 3,
    title: text(
      `a short training run on your pipeline reaches ≥ ${MIN_ACCURACY * 100} % on held-out images and reports its validation accuracy`,
      `여러분의 파이프라인으로 짧게 학습해 처음 보는 이미지에서 ${MIN_ACCURACY * 100} % 이상, 검증 정확도를 바르게 보고`,
    ),
    hint: text(
      'train: torch.manualSeed(seed); loaders(root, options); Flatten → Linear(784, 128) → ReLU → Linear(128, 10); Adam(lr 2e-3); per batch zeroGrad, loss, backward, step.',
      'train: torch.manualSeed(seed); loaders(root, options); Flatten → Linear(784, 128) → ReLU → Linear(128, 10); Adam(lr 2e-3); 배치마다 zeroGrad, 손실, backward, step.',
    ),
    guide: '§6.4',
    timeoutMs: 200_000,
    expensive: true,
  },
  inPipeline('train', async ({ seed }) => {
    const { train } = await pipeline();
    const trainFolder = folder('train');
    const started = performance.now();
    const result = await train(trainFolder.root, { epochs: 3, seed, numWorkers: 2 });
    const seconds = (performance.now() - started) / 1000;
    const test = folder('test');
    const accuracy = (await correctOn(result.model, test.samples)) / test.samples.length;
    if (accuracy < MIN_ACCURACY) {
      fail(
        text(
          `held-out accuracy ${(100 * accuracy).toFixed(1)} % after 3 epochs (${seconds.toFixed(0)} s); at least ${MIN_ACCURACY * 100} % expected`,
          `3 에포크 (${seconds.toFixed(0)} 초) 뒤 처음 보는 이미지 정확도가 ${(100 * accuracy).toFixed(1)} % 입니다. ${MIN_ACCURACY * 100} % 이상이어야 합니다`,
        ),
        text(
          'the held-out images are normalised as evalTransform does: check that training sees the same scale',
          '처음 보는 이미지는 evalTransform 처럼 정규화합니다: 학습도 같은 크기의 값을 보는지 확인하세요',
        ),
      );
    }
    // The accuracies train reports are the validation part's, as evaluate counts them on data.validation.
    const accuracies: unknown = result.accuracies;
    if (!Array.isArray(accuracies) || accuracies.length !== 3 || !accuracies.every((a) => typeof a === 'number'))
      fail(
        text(
          `train(…, { epochs: 3 }).accuracies should be 3 numbers, one per epoch; got ${JSON.stringify(accuracies)}`,
          `train(…, { epochs: 3 }).accuracies 는 에포크마다 하나씩 숫자 3 개여야 합니다. 받은 값: ${JSON.stringify(accuracies)}`,
        ),
      );
    const validation = heldOut(trainFolder, 0.1, seed);
    const counted = await correctOn(result.model, validation);
    const reported = (accuracies as number[])[2]! * validation.length;
    // One image of slack: batches of 32 and one batch of all may round a near-tie differently. The
    // count itself must be whole: a training-part accuracy that happens to be close is still caught.
    const whole = Math.abs(reported - Math.round(reported)) < 1e-6;
    if (!(whole && Math.abs(reported - counted) <= 1)) {
      fail(
        text(
          `accuracies[2] is ${(accuracies as number[])[2]}, but the returned model gets ${counted} of the ${validation.length} validation images right (${(counted / validation.length).toFixed(4)})`,
          `accuracies[2] 가 ${(accuracies as number[])[2]} 인데, 돌려준 모델은 검증 이미지 ${validation.length} 장 중 ${counted} 장을 맞힙니다 (${(counted / validation.length).toFixed(4)})`,
        ),
        text(
          'after each epoch, evaluate the model on data.validation (the held-out part, evalTransform), not on the training loader',
          '에포크마다 학습 로더가 아니라 data.validation (떼어 둔 부분, evalTransform) 으로 모델을 평가하세요',
        ),
      );
    }
  }),
);
