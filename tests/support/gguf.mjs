// A minimal GGUF v3 header (llama architecture, 2 layers; F16 embeddings, Q4_K
// attention) built byte by byte, for the module and browser tests.
export function ggufHeader(name = 'Tiny Test Llama') {
  const parts = [];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); parts.push(b); };
  const str = (s) => { u64(Buffer.byteLength(s)); parts.push(Buffer.from(s)); };
  parts.push(Buffer.from('GGUF'));
  u32(3); u64(3); u64(6);
  str('general.architecture'); u32(8); str('llama');
  str('general.name'); u32(8); str(name);
  str('llama.block_count'); u32(4); u32(2);
  str('llama.embedding_length'); u32(4); u32(256);
  str('llama.attention.head_count'); u32(4); u32(4);
  str('llama.context_length'); u32(4); u32(4096);
  for (const [tensor, dims, type] of [['token_embd.weight', [256, 512], 1], ['blk.0.attn_q.weight', [256, 256], 12], ['blk.1.attn_q.weight', [256, 256], 12]]) {
    str(tensor); u32(dims.length); dims.forEach(u64); u32(type); u64(0);
  }
  return Buffer.concat(parts);
}
