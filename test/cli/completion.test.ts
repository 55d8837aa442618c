// bgpctl completion bash/zsh: the script loads in a real bash and completes from the program's own commands.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const BGPCTL = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'bgpctl.js');

const Completion = suite('bgpctl completion');

/** COMPREPLY in a real bash for the command line `words`, the last one being completed. */
function complete(words: string[]): string[] {
  const script = `source <("${process.execPath}" "${BGPCTL}" completion bash) || exit 9
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_bgpctl_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 10_000 });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '');
}

Completion('the bash script loads and registers bgpctl and tsbgpctl', () => {
  const r = spawnSync('bash', ['-c', `source <("${process.execPath}" "${BGPCTL}" completion bash); complete -p bgpctl; complete -p tsbgpctl`], { encoding: 'utf8', timeout: 10_000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.equal(r.stdout.trim().split('\n'), ['complete -o default -F _bgpctl_complete bgpctl', 'complete -o default -F _bgpctl_complete tsbgpctl']);
});

Completion('completes commands, subcommands, their options and fixed argument values', () => {
  assert.equal(complete(['bgpctl', 'sh']), ['show', 'shutdown']);
  assert.equal(complete(['bgpctl', 'show', 'ro']), ['routes']);
  // An option's value is skipped: "/x" is not taken for a command.
  assert.ok(complete(['bgpctl', '--socket', '/x', 'show', 'routes', '--']).includes('--advertised'));
  assert.equal(complete(['bgpctl', 'completion', '']).filter((w) => !w.startsWith('-')), ['bash', 'zsh']);
  assert.equal(complete(['bgpctl', 'nosuch', '']).length, 0 + complete(['bgpctl', '']).length, 'an unknown word stays at the top level');
});

Completion('every command bgpctl --help lists is completed (the script is built from the program)', () => {
  const help = spawnSync(process.execPath, [BGPCTL, '--help'], { encoding: 'utf8' }).stdout;
  const commands = [...help.split('Commands:')[1]!.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]!);
  assert.ok(commands.length >= 10, `commands in the help: ${commands.join(' ')}`);
  const top = complete(['bgpctl', '']);
  for (const c of commands) assert.ok(top.includes(c), `${c} is completed`);
});

Completion('the zsh script is the bash one through bashcompinit', () => {
  const r = spawnSync(process.execPath, [BGPCTL, 'completion', 'zsh'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^autoload -U \+X bashcompinit && bashcompinit$/m);
  assert.match(r.stdout, /^complete -o default -F _bgpctl_complete bgpctl tsbgpctl$/m);
  const bad = spawnSync(process.execPath, [BGPCTL, 'completion', 'fish'], { encoding: 'utf8' });
  assert.is(bad.status, 2);
});

Completion.run();
