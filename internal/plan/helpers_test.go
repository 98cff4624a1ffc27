package plan

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func mustProps(t *testing.T, m map[string]any, secret bool) resource.PropertyMap {
	t.Helper()
	pm := resource.NewPropertyMapFromMap(m)
	if secret {
		for k, v := range pm {
			pm[k] = resource.MakeSecret(v)
		}
	}
	return pm
}
