import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEntries } from '../../src/papers/paper.ts';
import { tagTopics, topicSlugs } from '../../src/papers/topics.ts';

const seeds = parseEntries(JSON.parse(readFileSync('seeds/papers.json', 'utf8')), null).papers;
const seed = (id: string) => {
  const p = seeds.find((s) => s.id === id);
  if (!p) throw new Error(`seed ${id} missing`);
  return p;
};

describe('tagTopics on real seed papers', () => {
  it('tags a speculative decoding paper as llm and efficiency', () => {
    const p = seed('2509.01490'); // Accelerating Large Language Model Decoding with Speculative Sampling
    expect(tagTopics(p)).toEqual(expect.arrayContaining(['llm', 'efficiency']));
  });

  it('tags a medical image segmentation paper as medical and vision', () => {
    const p = seed('2312.19673'); // Universal Segmentation for Medical Images with Text Prompts
    expect(tagTopics(p)).toEqual(expect.arrayContaining(['medical', 'vision']));
    expect(tagTopics(p)).not.toContain('robotics');
  });

  it('is deterministic and uses only the taxonomy', () => {
    for (const p of seeds) {
      const t = tagTopics(p);
      expect(tagTopics(p)).toEqual(t);
      for (const slug of t) expect(topicSlugs).toContain(slug);
    }
  });
});

describe('tagTopics rules', () => {
  const tag = (title: string, summary = 'Nothing else to see here.', aiKeywords: string[] = []) =>
    tagTopics({ title, summary, aiKeywords });

  it('matches acronyms on word boundaries only', () => {
    expect(tag('Offline RL for recommendation')).toContain('rl');
    expect(tag('Parsing every URL on the web')).not.toContain('rl');
    expect(tag('Curling robots')).toEqual(['robotics']);
  });

  it('needs a title or keyword mention, or two abstract mentions', () => {
    expect(tag('A study', 'We compare with one image baseline.')).not.toContain('vision');
    expect(tag('A study', 'Images matter. Our image encoder is new.')).toContain('vision');
    expect(tag('A study', 'Nothing.', ['radiology'])).toContain('medical');
  });

  it('treats hyphen and space alike inside phrases', () => {
    expect(tag('Multi modal retrieval')).toContain('multimodal');
    expect(tag('Multi-modal retrieval')).toContain('multimodal');
    expect(tag('A Quality-Efficiency trade-off')).toContain('efficiency');
  });

  it('gives a paper that matches nothing no topics', () => {
    expect(tag('On the history of typography', 'A short essay about fonts.')).toEqual([]);
  });

  it('can give one paper several topics', () => {
    expect(tag('Speculative decoding for large language models').sort()).toEqual(['efficiency', 'llm']);
  });

  it('takes a plural s or es on the last word of a phrase only', () => {
    expect(tag('Agents that browse')).toContain('agents');
    expect(tag('Mixtures of experts')).not.toContain('efficiency');
    expect(tag('Sparse mixture of experts')).toContain('efficiency');
    expect(tag('Two speculative decodings')).toContain('efficiency');
    expect(tag('Patches', 'Processes and buses.')).toEqual([]);
  });

  it('matches acronyms exactly as written', () => {
    expect(tag('Fine-tuning with LoRA')).toContain('efficiency');
    expect(tag('Fine-tuning with lora')).not.toContain('efficiency');
    expect(tag('Fine-tuning with LORA')).not.toContain('efficiency');
    expect(tag('GPTs at work')).not.toContain('llm');
  });

  it('reads abstracts of any length to the end', () => {
    const filler = 'word '.repeat(5000);
    expect(tag('A study', `${filler} image and image`)).toContain('vision');
    expect(tag('A study', `${filler} image`)).not.toContain('vision');
  });
});

