// Relation names derived from ref columns (reference: codegen/relation-analyzer.ts). The type-level
// twin lives in relation-types.ts; keep both in step (relation-names.test.ts checks samples of both).
//   forward: FK column minus /(?:_ids|Ids|_id|Id)$/, pluralised for arrays of refs
//   reverse: `${sourceTable}Via${Capitalize(forward)}`, always an array

const FK_SUFFIX = /(?:_ids|Ids|_id|Id)$/;

export function forwardRelationName(column: string, isArray: boolean): string {
  const base = column.replace(FK_SUFFIX, "");
  return isArray ? pluralize(base) : base;
}

export function reverseRelationName(sourceTable: string, forwardName: string): string {
  return `${sourceTable}Via${forwardName.charAt(0).toUpperCase()}${forwardName.slice(1)}`;
}

/**
 * A small English pluraliser (the reference uses the `pluralize` package): words already ending
 * in "s" stay as they are unless they end in "ss"/"us"; sibilants take "es"; consonant+y → "ies".
 */
export function pluralize(word: string): string {
  if (/(?:ss|us|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (word.endsWith("s")) return word;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}
