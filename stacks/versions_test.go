package stacks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/components/release"
)

// A PostgreSQL version promotion accepts is one every cloud's database
// builds, and the reverse (issue 19: promotion allowed 14-17 while the
// database took 15 and 16, so a promoted 17 failed at plan).
func TestPromotionAndTheDatabaseAgreeOnPostgresVersions(t *testing.T) {
	for v := 9; v <= 20; v++ {
		version := fmt.Sprint(v)
		r := release.Release{Application: "2026.11.3", Images: core.Images{AWS: core.RegionImages{"eu-west-2": "ami-0a7e9c1b3d5f7a9c2"}}, PostgresVersion: version}
		promotable := r.Validate() == nil
		for _, cloud := range core.Clouds {
			s := database.Settings{Version: version}
			s.ApplyDefaults(core.Dev)
			err := s.Validate(core.Dev, cloud)
			builds := err == nil || !strings.Contains(err.Error(), "version")
			if promotable != builds {
				t.Errorf("PostgreSQL %s: promotion accepts %v, the %s database builds %v (%v)", version, promotable, cloud, builds, err)
			}
		}
	}
}
