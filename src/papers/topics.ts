/**
 * The fixed topic taxonomy and the deterministic tagger.
 *
 * A topic is tagged when its evidence score reaches 2: a match in the title or
 * in the paper's `ai_keywords` counts 2, each match in the abstract counts 1.
 * So a title mention is enough, while an abstract needs two mentions: that keeps
 * a passing "compared with image baselines" from making a paper a vision paper.
 * Patterns are word-boundary aware, and short acronyms are case-sensitive, so
 * "RL" never matches inside "URL" and "CoT" never matches "cot".
 */

export const topicSlugs = [
  'llm',
  'vision',
  'multimodal',
  'generative',
  'audio',
  'agents',
  'rl',
  'reasoning',
  'efficiency',
  'safety',
  'robotics',
  'medical',
  'data',
  'theory',
] as const;

export type Topic = (typeof topicSlugs)[number];

export interface TopicDefinition {
  slug: Topic;
  label: string;
  /** Case-insensitive phrases; matched on word boundaries, plural "s" allowed. */
  phrases: string[];
  /** Case-sensitive acronyms, matched as whole words. */
  acronyms?: string[];
}

export const topics: readonly TopicDefinition[] = [
  {
    slug: 'llm',
    label: 'Language models',
    phrases: ['large language model', 'language model', 'instruction tuning', 'instruction-tuned', 'tokenizer', 'next-token prediction', 'chatbot', 'in-context learning', 'speculative decoding'],
    acronyms: ['LLM', 'LLMs', 'GPT', 'BERT', 'SLM', 'SLMs'],
  },
  {
    slug: 'vision',
    label: 'Computer vision',
    phrases: ['computer vision', 'image', 'visual', 'video', 'segmentation', 'object detection', 'pixel', 'camera', '3D reconstruction', 'point cloud', 'depth estimation', 'vision transformer', 'optical flow'],
    acronyms: ['ViT', 'ViTs', 'OCR'],
  },
  {
    slug: 'multimodal',
    label: 'Multimodal',
    phrases: ['multimodal', 'multi-modal', 'vision-language', 'vision language', 'image-text', 'text-image', 'audio-visual', 'cross-modal', 'any-to-any'],
    acronyms: ['VLM', 'VLMs', 'MLLM', 'MLLMs', 'LMM', 'LMMs', 'VQA'],
  },
  {
    slug: 'generative',
    label: 'Generative models',
    phrases: ['diffusion', 'generative', 'text-to-image', 'text-to-video', 'image generation', 'video generation', 'image editing', 'flow matching', 'generative adversarial', 'denoising', 'image synthesis', 'video synthesis', '3D generation'],
    acronyms: ['GAN', 'GANs', 'VAE', 'VAEs'],
  },
  {
    slug: 'audio',
    label: 'Speech and audio',
    phrases: ['audio', 'speech', 'music', 'text-to-speech', 'speaker', 'acoustic', 'voice', 'spoken'],
    acronyms: ['ASR', 'TTS'],
  },
  {
    slug: 'agents',
    label: 'Agents',
    phrases: ['agent', 'agentic', 'tool use', 'tool-use', 'tool calling', 'function calling', 'web navigation', 'multi-agent', 'GUI', 'computer use', 'autonomous agent'],
  },
  {
    slug: 'rl',
    label: 'Reinforcement learning',
    phrases: ['reinforcement learning', 'reward model', 'policy optimization', 'policy gradient', 'preference optimization', 'human feedback', 'reward shaping', 'verifiable reward'],
    acronyms: ['RL', 'RLHF', 'RLVR', 'PPO', 'GRPO', 'DPO'],
  },
  {
    slug: 'reasoning',
    label: 'Reasoning',
    phrases: ['reasoning', 'chain-of-thought', 'chain of thought', 'mathematical', 'math', 'theorem proving', 'logical', 'problem solving', 'problem-solving', 'test-time scaling', 'step-by-step'],
    acronyms: ['CoT'],
  },
  {
    slug: 'efficiency',
    label: 'Efficiency',
    phrases: ['efficient', 'efficiency', 'speculative decoding', 'speculative sampling', 'inference acceleration', 'quantization', 'quantized', 'pruning', 'distillation', 'sparsity', 'compression', 'latency', 'throughput', 'speedup', 'acceleration', 'KV cache', 'low-rank', 'memory footprint', 'lightweight', 'mixture of experts', 'mixture-of-experts', 'parallelism'],
    acronyms: ['LoRA', 'MoE', 'FLOPs'],
  },
  {
    slug: 'safety',
    label: 'Safety and alignment',
    phrases: ['safety', 'alignment', 'jailbreak', 'harmful', 'red teaming', 'red-teaming', 'toxicity', 'privacy', 'adversarial attack', 'hallucination', 'fairness', 'watermark', 'misuse', 'guardrail'],
  },
  {
    slug: 'robotics',
    label: 'Robotics',
    phrases: ['robot', 'robotic', 'robotics', 'manipulation', 'embodied', 'locomotion', 'autonomous driving', 'grasping', 'humanoid', 'vision-language-action'],
    acronyms: ['VLA', 'VLAs'],
  },
  {
    slug: 'medical',
    label: 'Medicine and biology',
    phrases: ['medical', 'clinical', 'radiology', 'radiological', 'patient', 'biomedical', 'healthcare', 'disease', 'diagnosis', 'diagnostic', 'pathology', 'tumor', 'protein', 'drug discovery', 'genomic', 'X-ray'],
    acronyms: ['MRI', 'CT', 'EHR'],
  },
  {
    slug: 'data',
    label: 'Datasets and benchmarks',
    phrases: ['dataset', 'benchmark', 'data curation', 'synthetic data', 'annotation', 'corpus', 'data collection', 'data quality', 'leaderboard'],
  },
  {
    slug: 'theory',
    label: 'Theory',
    phrases: ['theoretical', 'theory', 'provably', 'convergence', 'theorem', 'generalization bound', 'scaling law', 'sample complexity', 'lower bound', 'upper bound'],
  },
];

/**
 * Matching works on words, not regular expressions: the text is split into
 * words once and every phrase is looked up by its first word. Ingest tags
 * every paper it sees, and one pass over an abstract's ~200 words is several
 * times cheaper than scanning it once per topic with a regex alternation.
 * Splitting on anything that is not a letter or digit also gives the word
 * boundaries for free: "URL" is one word, so it holds no "RL", and
 * "Quality-Efficiency" is two, so it holds "efficiency".
 */
interface Phrase {
  topic: number;
  words: string[];
}

// Phrases are ASCII, so any other character may as well separate words.
const WORD = /[A-Za-z0-9]+/g;
const LOWER_WORD = /[a-z0-9]+/g;

/** Phrases compare lower-cased (last word may be plural); acronyms compare exactly. */
const phrasesByFirst = new Map<string, Phrase[]>();
const acronymsByFirst = new Map<string, Phrase[]>();
topics.forEach((t, topic) => {
  const add = (index: Map<string, Phrase[]>, words: string[]) =>
    index.set(words[0]!, [...(index.get(words[0]!) ?? []), { topic, words }]);
  for (const p of t.phrases) add(phrasesByFirst, p.toLowerCase().match(LOWER_WORD)!);
  for (const a of t.acronyms ?? []) add(acronymsByFirst, a.match(WORD)!);
});
// Longest first, so "large language model" is one mention, not also "language model".
for (const index of [phrasesByFirst, acronymsByFirst]) {
  for (const list of index.values()) list.sort((a, b) => b.words.length - a.words.length);
}

function matchesAt(p: Phrase, tokens: string[], i: number, plural: boolean): boolean {
  const last = p.words.length - 1;
  if (i + last >= tokens.length) return false;
  for (let k = 0; k < last; k++) if (tokens[i + k] !== p.words[k]) return false;
  const w = tokens[i + last]!;
  const target = p.words[last]!;
  return w === target || (plural && (w === `${target}s` || w === `${target}es`));
}

/** Adds `weight` to `score[topic]` for each mention of a topic in `tokens`. */
function scan(tokens: string[], index: Map<string, Phrase[]>, plural: boolean, score: number[], weight: number): void {
  const coveredUntil = new Array<number>(topics.length).fill(0);
  const visit = (key: string, i: number) => {
    const list = index.get(key);
    if (!list) return;
    for (const p of list) {
      if (i < coveredUntil[p.topic]! || !matchesAt(p, tokens, i, plural)) continue;
      score[p.topic]! += weight;
      coveredUntil[p.topic] = i + p.words.length;
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i]!;
    visit(w, i);
    if (plural && w.endsWith('s')) {
      visit(w.slice(0, -1), i);
      if (w.endsWith('es')) visit(w.slice(0, -2), i);
    }
  }
}

function countMentions(text: string, score: number[], weight: number): void {
  scan(text.toLowerCase().match(LOWER_WORD) ?? [], phrasesByFirst, true, score, weight);
  scan(text.match(WORD) ?? [], acronymsByFirst, false, score, weight);
}

export interface TaggableText {
  title: string;
  summary: string;
  aiKeywords?: readonly string[] | null;
}

/** Deterministic topics for a paper, in taxonomy order. */
export function tagTopics(paper: TaggableText): Topic[] {
  const score = new Array<number>(topics.length).fill(0);
  countMentions(paper.title, score, 2);
  // Keywords are separate phrases: joined with a full stop so none runs into the next.
  countMentions((paper.aiKeywords ?? []).join(' . '), score, 2);
  countMentions(paper.summary, score, 1);
  return topics.filter((_, i) => score[i]! >= 2).map((t) => t.slug);
}

export function isTopic(value: string): value is Topic {
  return (topicSlugs as readonly string[]).includes(value);
}

export function topicLabel(slug: Topic): string {
  return topics.find((t) => t.slug === slug)?.label ?? slug;
}
