/**
 * The fixed topic taxonomy and the deterministic tagger.
 *
 * A topic is tagged when its evidence score reaches 2: a match in the title or
 * in the paper's `ai_keywords` counts 2, each match in the abstract counts 1.
 * So a title mention is enough, while an abstract needs two mentions: that keeps
 * a passing "compared with image baselines" from making a paper a vision paper.
 * Patterns are word-boundary aware, and short acronyms are case-sensitive, so
 * "RL" never matches inside "URL" and "CoT" never matches "cot" (the matching
 * itself is in phrase-matcher.ts).
 */
import { buildPhraseIndex, countMentions } from './phrase-matcher.ts';

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

const phraseIndex = buildPhraseIndex(
  topics.flatMap((t, topic) => [
    ...t.phrases.map((text) => ({ topic, text, exact: false })),
    ...(t.acronyms ?? []).map((text) => ({ topic, text, exact: true })),
  ]),
  topics.length,
);

export interface TaggableText {
  title: string;
  summary: string;
  aiKeywords?: readonly string[] | null;
}

/** Deterministic topics for a paper, in taxonomy order. */
export function tagTopics(paper: TaggableText): Topic[] {
  const score = new Array<number>(topics.length).fill(0);
  countMentions(phraseIndex, paper.title, score, 2);
  // Keywords are separate phrases: joined with a full stop so none runs into the next.
  countMentions(phraseIndex, (paper.aiKeywords ?? []).join(' . '), score, 2);
  countMentions(phraseIndex, paper.summary, score, 1);
  return topics.filter((_, i) => score[i]! >= 2).map((t) => t.slug);
}

export function isTopic(value: string): value is Topic {
  return (topicSlugs as readonly string[]).includes(value);
}

export function topicLabel(slug: Topic): string {
  return topics.find((t) => t.slug === slug)?.label ?? slug;
}
