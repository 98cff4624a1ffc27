package core

import (
	"errors"
	"testing"
)

func TestImplementationsRunTheCloudsOwn(t *testing.T) {
	impl := Implementations[string]{
		AWS:   func() (string, error) { return "aws", nil },
		GCP:   func() (string, error) { return "gcp", nil },
		Azure: func() (string, error) { return "", errors.New("azure failed") },
	}
	for cloud, want := range map[Cloud]string{AWS: "aws", GCP: "gcp"} {
		if got, err := impl.Build(cloud); err != nil || got != want {
			t.Errorf("%s: got %q, %v", cloud, got, err)
		}
	}
	if _, err := impl.Build(Azure); err == nil || err.Error() != "azure failed" {
		t.Errorf("azure's own error must come back, got %v", err)
	}
	if _, err := impl.Build("oci"); err == nil {
		t.Error("a cloud without an implementation must be an error")
	}
	if _, err := (Implementations[string]{AWS: impl.AWS}).Build(GCP); err == nil {
		t.Error("a component without a GCP implementation must refuse GCP")
	}
}
