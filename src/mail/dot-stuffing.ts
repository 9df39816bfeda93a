/**
 * A faster path for nodemailer's DATA encoder (its `DataStream`), which every
 * message passes through on its way to the socket: it stuffs a dot at the
 * start of a line (RFC 5321 §4.5.2) and turns bare CR or LF into CRLF.
 * nodemailer does this byte by byte in JavaScript, ≈ 450 µs for one 60 KB
 * digest on the bench machine, a fifth of a worker's main thread per email.
 *
 * paperboy's messages are CRLF throughout (mime-template.ts, message.ts), so
 * a chunk can be checked with the native `indexOf` instead: find every LF,
 * check a CR precedes it and that the CRs are all so paired, and stuff the
 * dots that follow. A chunk that is not plain CRLF (a bare CR or LF, or one
 * split across chunks) goes to nodemailer's own loop unchanged, so the bytes
 * on the wire are nodemailer's in every case; test/mail/dot-stuffing.test.ts
 * compares the two on random input and chunking. A message renderMime built
 * and marked wire-ready (wire-ready.ts: CRLF throughout, no line starting
 * with a dot) is not even checked: it goes out as it is.
 *
 * Installed once, by smtp.ts, on the class nodemailer's pool uses.
 */
import type { TransformCallback } from 'node:stream';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream.js';
import { isWireReady } from './wire-ready.ts';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const NONE: number[] = [];

interface DataStreamState {
  inByteCount: number;
  outByteCount: number;
  /** The previous chunk's last byte; false before the first. */
  lastByte: number | false;
  push(chunk: Buffer): boolean;
}
type Transform = (this: DataStreamState, chunk: Buffer | string, encoding: BufferEncoding, done: TransformCallback) => void;

// The original is kept on the prototype: a module graph loaded twice (as test runners do) must not take the fast path for it.
const proto = DataStream.prototype as unknown as { _transform: Transform; paperboyOriginal?: Transform };

/** nodemailer's own encoder, kept for chunks that are not plain CRLF (and for the test's comparison). */
export const originalTransform: Transform = proto.paperboyOriginal ?? proto._transform;

/**
 * Where dots must be stuffed in a plain-CRLF chunk (offsets of the dots), or
 * null when the chunk holds a bare CR or LF, or a CRLF split across chunks.
 */
export function dotOffsets(chunk: Buffer, lastByte: number | false): number[] | null {
  const len = chunk.length;
  if (lastByte === CR) return null; // a CRLF split across chunks: the byte loop sees both halves
  if (chunk[len - 1] === CR) return null;
  const dots: number[] = [];
  if (chunk[0] === DOT && (lastByte === LF || lastByte === false)) dots.push(0);
  let pairs = 0;
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
    if (lf === 0 || chunk[lf - 1] !== CR) return null;
    pairs++;
    if (chunk[lf + 1] === DOT) dots.push(lf + 1);
  }
  let crs = 0;
  for (let cr = chunk.indexOf(CR); cr !== -1; cr = chunk.indexOf(CR, cr + 1)) crs++;
  return crs === pairs ? dots : null;
}

const fastTransform: Transform = function (this: DataStreamState, chunk, encoding, done) {
  if (typeof chunk === 'string' || !chunk.length) return originalTransform.call(this, chunk, encoding, done);
  // A whole wire-ready message at a line's start: nothing to stuff, nothing to normalise.
  const dots = isWireReady(chunk) && (this.lastByte === false || this.lastByte === LF) ? NONE : dotOffsets(chunk, this.lastByte);
  if (!dots) return originalTransform.call(this, chunk, encoding, done);
  this.inByteCount += chunk.length;
  let out = chunk;
  if (dots.length) {
    // Each stuffed dot is the chunk's own dot written twice.
    out = Buffer.allocUnsafe(chunk.length + dots.length);
    let from = 0;
    let to = 0;
    for (const at of dots) {
      out.set(chunk.subarray(from, at), to);
      to += at - from;
      out[to++] = DOT;
      from = at;
    }
    out.set(chunk.subarray(from), to);
  }
  this.outByteCount += out.length;
  this.lastByte = chunk[chunk.length - 1]!;
  this.push(out);
  done();
};

/** Puts the fast path on nodemailer's DataStream (idempotent). */
export function installFastDotStuffing(): void {
  if (proto.paperboyOriginal) return;
  proto.paperboyOriginal = proto._transform;
  proto._transform = fastTransform;
}
