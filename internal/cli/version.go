package cli

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// version is what --version prints: the CLI's own version (its module
// version, else the commit it was built from), and the Pulumi SDK and
// provider SDKs it was built with, all from the binary's build info.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "wedsync-infra (no build information)"
	}
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "(devel)"
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			v += " commit " + rev[:min(12, len(rev))]
			if settings["vcs.modified"] == "true" {
				v += " (modified)"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "wedsync-infra %s, %s\n", v, info.GoVersion)
	var sdk string
	var providers []string
	for _, d := range info.Deps {
		switch {
		case d.Path == "github.com/pulumi/pulumi/sdk/v3":
			sdk = d.Version
		case strings.HasPrefix(d.Path, "github.com/pulumi/pulumi-aws/sdk/"),
			strings.HasPrefix(d.Path, "github.com/pulumi/pulumi-gcp/sdk/"),
			d.Path == "github.com/pulumi/pulumi-azure-native-sdk/v2":
			providers = append(providers, d.Path+" "+d.Version)
		}
	}
	fmt.Fprintf(&b, "Pulumi SDK %s\n", orDash(sdk))
	for _, p := range providers {
		fmt.Fprintf(&b, "provider SDK %s\n", p)
	}
	return b.String()
}
