// Command gen writes the JSON Schemas of internal/schema into a directory
// (`go generate ./internal/schema/` writes the repository's schema/).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/wedsync/wedsync-infra/internal/schema"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen DIR")
		os.Exit(2)
	}
	files, err := schema.Generate()
	if err == nil {
		err = os.MkdirAll(os.Args[1], 0o755)
	}
	for name, data := range files {
		if err == nil {
			err = os.WriteFile(filepath.Join(os.Args[1], name), data, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
