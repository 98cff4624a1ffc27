package stacks

import (
	"os"
	"strings"
	"testing"
)

// Every config key the program reads is documented in the README.
func TestREADMEDocumentsEveryConfigKey(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys() {
		if !strings.Contains(string(readme), "`"+k+"`") {
			t.Errorf("README does not document %s", k)
		}
	}
}
