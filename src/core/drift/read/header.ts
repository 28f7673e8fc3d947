import { charColumn, dataError } from './errors';

/**
 * The header record at the start of buf[0, end): leading blank lines skipped, quoted names unescaped.
 * Returns undefined when more bytes are needed to see the whole record.
 */
export function parseHeader(
  b: Uint8Array,
  end: number,
  eof: boolean,
  delim: number,
  file: string,
): { names: string[]; next: number; line: number; lines: number } | undefined {
  let p = 0;
  let line = 1;
  while (p < end && (b[p] === 10 || (b[p] === 13 && b[p + 1] === 10))) {
    p += b[p] === 10 ? 1 : 2;
    line++;
  }
  const lineStart = p;
  const names: string[] = [];
  const decoder = new TextDecoder();
  let lines = 1;
  let field: number[] = [];
  let fieldStart = p;
  const finishField = () => {
    names.push(decoder.decode(Uint8Array.from(field)).trim());
    field = [];
  };
  while (p < end) {
    const c = b[p];
    if (c === 34 && field.length === 0 && p === fieldStart) {
      // Quoted name.
      let i = p + 1;
      for (;;) {
        if (i >= end) {
          if (!eof) return undefined;
          throw dataError(
            file,
            { line, column: charColumn(b, lineStart, p) },
            'a quoted column name starts here but its closing quote is missing.',
            'Close the quote in the header row.',
          );
        }
        if (b[i] === 34) {
          if (b[i + 1] === 34) {
            field.push(34);
            i += 2;
            continue;
          }
          if (i + 1 >= end && !eof) return undefined;
          break;
        }
        if (b[i] === 10) lines++;
        field.push(b[i]);
        i++;
      }
      p = i + 1;
      continue;
    }
    if (c === delim) {
      finishField();
      p++;
      fieldStart = p;
      continue;
    }
    if (c === 10 || (c === 13 && b[p + 1] === 10)) {
      finishField();
      return { names, next: p + (c === 10 ? 1 : 2), line, lines };
    }
    field.push(c);
    p++;
  }
  if (!eof) return undefined;
  finishField();
  return { names, next: end, line, lines };
}
