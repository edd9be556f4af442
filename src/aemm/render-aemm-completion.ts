import { AEMM_BIN, AEMM_COMMANDS, AEMM_GLOBAL_FLAGS, findAemmCommand, type AemmFlag } from './aemm-flags.js';

/** The shells `ec2-metadata-mock completion` writes scripts for, as cobra names them. */
export const AEMM_SHELLS = ['bash', 'fish', 'powershell', 'zsh'] as const;

/** One of AEMM_SHELLS. */
export type AemmShell = (typeof AEMM_SHELLS)[number];

/** What `completion <shell> --help` says: how to load the script (cobra's wording, which AEMM prints). */
export function describeAemmShell(shell: AemmShell): string {
  const session = 'To load completions in your current shell session:';
  const every = 'To load completions for every new session, execute once:';
  const restart = 'You will need to start a new shell for this setup to take effect.';
  if (shell === 'bash') {
    return `Generate the autocompletion script for the bash shell.\n\nThis script depends on the 'bash-completion' package.\nIf it is not installed already, you can install it via your OS's package manager.\n\n${session}\n\n\tsource <(${AEMM_BIN} completion bash)\n\n${every}\n\n#### Linux:\n\n\t${AEMM_BIN} completion bash > /etc/bash_completion.d/${AEMM_BIN}\n\n#### macOS:\n\n\t${AEMM_BIN} completion bash > $(brew --prefix)/etc/bash_completion.d/${AEMM_BIN}\n\n${restart}\n`;
  }
  if (shell === 'zsh') {
    return `Generate the autocompletion script for the zsh shell.\n\nIf shell completion is not already enabled in your environment you will need\nto enable it.  You can execute the following once:\n\n\techo "autoload -U compinit; compinit" >> ~/.zshrc\n\n${session}\n\n\tsource <(${AEMM_BIN} completion zsh)\n\n${every}\n\n#### Linux:\n\n\t${AEMM_BIN} completion zsh > "\${fpath[1]}/_${AEMM_BIN}"\n\n#### macOS:\n\n\t${AEMM_BIN} completion zsh > $(brew --prefix)/share/zsh/site-functions/_${AEMM_BIN}\n\n${restart}\n`;
  }
  if (shell === 'fish') {
    return `Generate the autocompletion script for the fish shell.\n\n${session}\n\n\t${AEMM_BIN} completion fish | source\n\n${every}\n\n\t${AEMM_BIN} completion fish > ~/.config/fish/completions/${AEMM_BIN}.fish\n\n${restart}\n`;
  }
  return `Generate the autocompletion script for powershell.\n\n${session}\n\n\t${AEMM_BIN} completion powershell | Out-String | Invoke-Expression\n\nTo load completions for every new session, add the output of the above command\nto your powershell profile.\n`;
}

/**
 * The completion script for a shell. The scripts are our own; like cobra's they ask the binary
 * itself (`__complete`, or `__completeNoDesc`) what fits, so they complete what AEMM's complete.
 */
export function renderAemmCompletionScript(shell: AemmShell, descriptions: boolean): string {
  const ask = descriptions ? '__complete' : '__completeNoDesc';
  if (shell === 'bash') {
    return `# bash completion for ${AEMM_BIN}; load it with: source <(${AEMM_BIN} completion bash)
_ec2_metadata_mock_complete() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    [[ $line == :* || -z $line ]] && continue
    COMPREPLY+=("\${line%%$'\\t'*}")
  done < <("\${COMP_WORDS[0]}" ${ask} "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
}
complete -F _ec2_metadata_mock_complete ${AEMM_BIN}
`;
  }
  if (shell === 'zsh') {
    return `#compdef ${AEMM_BIN}
# zsh completion for ${AEMM_BIN}; load it with: source <(${AEMM_BIN} completion zsh)
_ec2_metadata_mock_complete() {
  local -a found
  local line
  for line in "\${(@f)$("\${words[1]}" ${ask} "\${(@)words[2,$CURRENT]}" 2>/dev/null)}"; do
    [[ $line == :* || -z $line ]] && continue
    found+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
  done
  _describe '${AEMM_BIN}' found
}
compdef _ec2_metadata_mock_complete ${AEMM_BIN}
`;
  }
  if (shell === 'fish') {
    return `# fish completion for ${AEMM_BIN}; load it with: ${AEMM_BIN} completion fish | source
function __ec2_metadata_mock_complete
    set -l words (commandline -opc) (commandline -ct)
    $words[1] ${ask} $words[2..-1] 2>/dev/null | string match -v -r '^:'
end
complete -c ${AEMM_BIN} -f -a '(__ec2_metadata_mock_complete)'
`;
  }
  return `# powershell completion for ${AEMM_BIN}; load it with: ${AEMM_BIN} completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName '${AEMM_BIN}' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    if ($wordToComplete -eq '') { $words += '""' }
    & '${AEMM_BIN}' ${ask} @words 2>$null | Where-Object { $_ -notlike ':*' -and $_ -ne '' } | ForEach-Object {
        $name, $description = $_ -split "\`t", 2
        if (-not $description) { $description = $name }
        [System.Management.Automation.CompletionResult]::new($name, $name, 'ParameterValue', $description)
    }
}
`;
}

const NO_FILES = 4;
const DEFAULT = 0;
const DIRECTIVES: Record<number, string> = { [DEFAULT]: 'ShellCompDirectiveDefault', [NO_FILES]: 'ShellCompDirectiveNoFileComp' };

const helpFlag = (name: string): AemmFlag => ({ name: 'help', short: 'h', type: 'bool', usage: `help for ${name}` });

function flagChoices(flags: readonly AemmFlag[], word: string): [string, string][] {
  const sorted = [...flags].sort((a, b) => (a.name < b.name ? -1 : 1));
  const usage = (flag: AemmFlag): string => flag.usage.split('\n')[0]!;
  return sorted
    .flatMap((flag): [string, string][] => {
      const names: [string, string][] = [[`--${flag.name}`, usage(flag)]];
      // Shorthands are offered only while the word could still be one.
      if (flag.short && !word.startsWith('--')) names.push([`-${flag.short}`, usage(flag)]);
      return names;
    })
    .filter(([name]) => name.startsWith(word));
}

/**
 * Answers cobra's hidden `__complete` command, which completion scripts call with the words typed
 * so far: one `candidate<TAB>description` line each, then `:<directive>`; returns stdout's text.
 */
export function completeAemmWords(words: readonly string[], descriptions: boolean): { stdout: string; stderr: string } {
  const word = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const rootFlags = [...AEMM_GLOBAL_FLAGS, AEMM_COMMANDS[0]!.flags[0]!];
  let command: string | undefined;
  let previousTakesValue = false;
  for (const arg of before) {
    if (previousTakesValue) {
      previousTakesValue = false;
      continue;
    }
    if (arg.startsWith('-')) {
      const flag = [...rootFlags, ...AEMM_COMMANDS.flatMap((info) => info.flags)].find(
        (candidate) => arg === `--${candidate.name}` || arg === `-${candidate.short}`,
      );
      previousTakesValue = flag !== undefined && flag.type !== 'bool' && !arg.includes('=');
    } else if (command === undefined) command = arg;
    else if (command === 'completion' || command === 'help') command = `${command} ${arg}`;
  }
  let choices: [string, string][] = [];
  let directive = NO_FILES;
  const sub = command === undefined ? undefined : findAemmCommand(command);
  if (previousTakesValue) directive = DEFAULT;
  else if (word.startsWith('-')) {
    if (command === undefined) choices = flagChoices([...rootFlags, helpFlag(AEMM_BIN)], word);
    else if (sub) choices = [...flagChoices(AEMM_GLOBAL_FLAGS, word), ...flagChoices([...sub.flags, helpFlag(sub.name)], word)];
    else if (command === 'completion') choices = [...flagChoices(AEMM_GLOBAL_FLAGS, word), ...flagChoices([helpFlag('completion')], word)];
  } else if (command === undefined || command === 'help') {
    choices = [
      ...AEMM_COMMANDS.filter((info) => info.name !== 'root').map((info): [string, string] => [info.name, info.short]),
      ['completion', 'Generate the autocompletion script for the specified shell'],
      ['help', 'Help about any command'],
    ];
    choices = choices.sort((a, b) => (a[0] < b[0] ? -1 : 1)).filter(([name]) => name.startsWith(word));
  } else if (command === 'completion') {
    choices = AEMM_SHELLS.map((shell): [string, string] => [shell, `Generate the autocompletion script for ${shell}`]).filter(([name]) =>
      name.startsWith(word),
    );
  } else if (!command.startsWith('completion ')) directive = DEFAULT;
  const lines = choices.map(([name, description]) => (descriptions ? `${name}\t${description}` : name));
  return { stdout: `${[...lines, `:${directive}`].join('\n')}\n`, stderr: `Completion ended with directive: ${DIRECTIVES[directive]}\n` };
}
