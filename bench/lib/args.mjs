// Command-line options of the bench scripts, read by node:util parseArgs: an unknown option, a missing value
// or a number out of range stops the run with the usage instead of being ignored.
import { parseArgs } from 'node:util';

/**
 * Reads `argv` (strict). `numbers` names string options that must be whole numbers within a range; they
 * come back as numbers. Throws an Error saying what is wrong.
 */
export function readOptions(argv, options, numbers = {}) {
  const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
  for (const [name, { min, max }] of Object.entries(numbers)) {
    const text = values[name];
    if (text === undefined) continue;
    const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= min && value <= max)) throw new Error(`--${name} needs a whole number from ${min} to ${max}, not ${JSON.stringify(text).slice(0, 40)}.`);
    values[name] = value;
  }
  return values;
}

/** readOptions for a script: `--help` prints the usage and exits 0; a mistake prints it and exits 2. */
export function optionsOrExit(usage, options, numbers) {
  try {
    const values = readOptions(process.argv.slice(2), options, numbers);
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    return values;
  } catch (error) {
    console.error(`${error.message}\n\n${usage}`);
    process.exit(2);
  }
}
