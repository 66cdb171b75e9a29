// Every component uses runes; legacy reactive syntax is a compile error, not a silent fallback.
export default {
  compilerOptions: { runes: true },
};
