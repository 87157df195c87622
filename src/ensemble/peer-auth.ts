// The handshake that opens every peer link: each side proves it holds the ensemble's shared secret
// before the other accepts a single Zab message from it. The dialer names itself and the peer it
// dialled and sends a fresh nonce; the acceptor answers with its own nonce and an HMAC over both ids
// and both nonces; the dialer checks it and answers with an HMAC of its own. The two HMACs carry
// different labels, so neither side's answer can be reflected back as the other's, and both ids are
// inside them, so an answer for one pair of peers proves nothing for another.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

const HELLO = 0x5a4b4831 // "ZKH1"
const CHALLENGE = 0x5a4b4331 // "ZKC1"
const PROOF = 0x5a4b5031 // "ZKP1"
export const NONCE_BYTES = 32
const MAC_BYTES = 32
const HELLO_BYTES = 12 + NONCE_BYTES
const CHALLENGE_BYTES = 4 + NONCE_BYTES + MAC_BYTES
const PROOF_BYTES = 4 + MAC_BYTES

/** The most a peer may send before it has authenticated (the handshake needs under 100 bytes). */
export const HANDSHAKE_MAX_BYTES = 4096

export interface Hello {
  dialer: number
  acceptor: number
  nonce: Buffer
}

export interface Challenge {
  nonce: Buffer
  mac: Buffer
}

/** A fresh nonce for one handshake. */
export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES)
}

function framed(body: Buffer): Buffer {
  const out = Buffer.alloc(4 + body.length)
  out.writeInt32BE(body.length, 0)
  body.copy(out, 4)
  return out
}

/** The dialer's first frame (length-prefixed). */
export function helloFrame(h: Hello): Buffer {
  const body = Buffer.alloc(HELLO_BYTES)
  body.writeInt32BE(HELLO, 0)
  body.writeInt32BE(h.dialer, 4)
  body.writeInt32BE(h.acceptor, 8)
  h.nonce.copy(body, 12)
  return framed(body)
}

/** The acceptor's answer to a HELLO (length-prefixed). */
export function challengeFrame(c: Challenge): Buffer {
  return framed(Buffer.concat([int32(CHALLENGE), c.nonce, c.mac]))
}

/** The dialer's proof (length-prefixed). */
export function proofFrame(mac: Buffer): Buffer {
  return framed(Buffer.concat([int32(PROOF), mac]))
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(v, 0)
  return b
}

/** Read a HELLO body; a string says what was wrong with it. */
export function parseHello(body: Buffer): Hello | string {
  if (body.length !== HELLO_BYTES || body.readInt32BE(0) !== HELLO) return `expected a ${HELLO_BYTES}-byte HELLO, got ${body.length} bytes`
  return { dialer: body.readInt32BE(4), acceptor: body.readInt32BE(8), nonce: Buffer.from(body.subarray(12)) }
}

export function parseChallenge(body: Buffer): Challenge | string {
  if (body.length !== CHALLENGE_BYTES || body.readInt32BE(0) !== CHALLENGE)
    return `expected a ${CHALLENGE_BYTES}-byte CHALLENGE, got ${body.length} bytes`
  return { nonce: Buffer.from(body.subarray(4, 4 + NONCE_BYTES)), mac: Buffer.from(body.subarray(4 + NONCE_BYTES)) }
}

/** The MAC of a PROOF body, or what was wrong with it. */
export function parseProof(body: Buffer): Buffer | string {
  if (body.length !== PROOF_BYTES || body.readInt32BE(0) !== PROOF) return `expected a ${PROOF_BYTES}-byte PROOF, got ${body.length} bytes`
  return Buffer.from(body.subarray(4))
}

/**
 * What `side` of the link from `dialer` to `acceptor` must answer, given both nonces: an HMAC on the
 * shared secret over a label naming the side, both ids and both nonces.
 */
export function handshakeMac(
  secret: Buffer,
  side: 'acceptor' | 'dialer',
  ids: { dialer: number; acceptor: number },
  nonces: { dialer: Buffer; acceptor: Buffer },
): Buffer {
  const h = createHmac('sha256', secret)
  h.update(`zookit peer link, ${side} proof\0`)
  h.update(int32(ids.dialer))
  h.update(int32(ids.acceptor))
  h.update(nonces.dialer)
  h.update(nonces.acceptor)
  return h.digest()
}

/** Whether a received MAC is the expected one, in time independent of where they differ. */
export function macMatches(expected: Buffer, got: Buffer): boolean {
  return got.length === expected.length && timingSafeEqual(expected, got)
}
