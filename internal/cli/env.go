package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"
	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
)

func newEnvCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Evaluate the ESC environments in environments/ locally (any state backend)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newEnvShowCmd(), newEnvVarsCmd(), newEnvCheckCmd())
	return cmd
}

func newEnvShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ENV [--json]",
		Short: "Print an environment's evaluated stack config, CI variables and release",
		Long: `show evaluates environments/ENV.yaml with its imports and interpolations
and prints the stack config it gives its stacks (pulumiConfig), the CI
environment variables and the release block. Secrets print as [secret].

Exit codes: 0 shown; 2 the environment does not exist or does not evaluate.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := evaluateEnv(cmd, args[0])
			if err != nil {
				return fail(err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{
					"name": env.Name, "pulumiConfig": env.PulumiConfig, "secretKeys": env.SecretKeys,
					"environmentVariables": env.EnvironmentVariables, "release": env.Release,
				})
			}
			var b strings.Builder
			fmt.Fprintf(&b, "environment %s\n\nstack config (pulumiConfig):\n", env.Name)
			writeSorted(&b, env.PulumiConfig, ": ")
			b.WriteString("\nCI environment variables:\n")
			writeSorted(&b, env.EnvironmentVariables, "=")
			if env.Release != nil {
				data, err := json.MarshalIndent(env.Release, "  ", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintf(&b, "\nrelease:\n  %s\n", data)
			}
			_, err = fmt.Fprint(out, b.String())
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func newEnvVarsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "vars ENV",
		Short: "Print an environment's CI variables as KEY=value lines (for $GITHUB_ENV)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := evaluateEnv(cmd, args[0])
			if err != nil {
				return fail(err)
			}
			for _, k := range sortedMapKeys(env.EnvironmentVariables) {
				v := env.EnvironmentVariables[k]
				if strings.ContainsAny(v, "\r\n") {
					return fail(fmt.Errorf("environment %s: %s spans lines; a KEY=value line cannot hold it", env.Name, k))
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s=%s\n", k, v)
			}
			return nil
		},
	}
}

func newEnvCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Evaluate every environment and load every stack's config as plan does; exit 2 on any problem",
		Long: `check evaluates every environments/*.yaml (imports, interpolation, no
plaintext fn::secret, no unknown or misspelt keys), and loads every stack's
config exactly as plan, preview and up do (internal/stackconfig): its
environments exist, its wedsync:environment names the environment it imports,
and every value is valid and within the clouds' documented limits.

Exit codes: 0 all good; 2 problems (all listed).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := project.Find(projectDir(cmd))
			if err != nil {
				return fail(err)
			}
			problems := stackconfig.Check(commandContext(cmd), p)
			if len(problems) > 0 {
				return invalid(fmt.Errorf("environments: %w", &multierror.Error{Errors: problems}))
			}
			fmt.Fprintln(cmd.OutOrStdout(), "every environment evaluates and every stack's config loads as plan loads it")
			return nil
		},
	}
}

func evaluateEnv(cmd *cobra.Command, name string) (*environments.Environment, error) {
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return nil, err
	}
	return environments.StoreOf(p).Evaluate(commandContext(cmd), p.Name, name)
}

func writeSorted(b *strings.Builder, m map[string]string, sep string) {
	for _, k := range sortedMapKeys(m) {
		fmt.Fprintf(b, "  %s%s%s\n", k, sep, m[k])
	}
}

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
