package backup

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
)

const stackKey = "arn:aws:kms:eu-west-2:123456789012:key/mrk-9a29307b1331f38fed1f5067d7d864c2"

// The key check through the S3 API: gofakes3 returns the SSE-KMS headers
// the writer sent, as S3 returns the key it encrypted with.
func TestKeyOnS3(t *testing.T) {
	cases := []struct {
		name, key, kind string
	}{
		{"the stack's key", stackKey, ""},
		{"another key", "arn:aws:kms:eu-west-2:123456789012:key/other", KindWrongKey},
		{"no customer key", "", KindUnencrypted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := backuptest.StartS3(t)
			s.Bucket(t, "backups")
			files, m := seedFiles("")
			for k, v := range files {
				key := stackKey
				if k == "db/part-2" {
					key = c.key
				}
				s.Put(t, "backups", k, backuptest.Object{Data: v, KeyID: key})
			}
			mj, _ := json.Marshal(m)
			s.Put(t, "backups", "db/export.manifest.json", backuptest.Object{Data: mj, KeyID: stackKey})
			store := &S3Store{Client: newS3Client(s.URL, readOnly{t, http.DefaultTransport}), Bucket: "backups"}
			rep, err := Verify(context.Background(), store, Options{KeyID: stackKey, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			assertFindings(t, rep, "db/part-2", c.kind)
		})
	}
}

// GCS and Azure: fake-gcs-server v1.56.1 has no kmsKeyName, Azurite 3.37.0
// says nothing of keys beyond x-ms-server-encrypted, so the comparison runs
// on the fake Store, as each cloud's Stat reports it.
func TestKeyAtTheInterface(t *testing.T) {
	gcsKey := "projects/p/locations/europe-west2/keyRings/r/cryptoKeys/backup"
	cases := []struct {
		name  string
		want  string
		attrs Attrs
		kind  string
		note  bool
	}{
		{"gcs: the stack's key", gcsKey, Attrs{KeyPerObject: true, Encrypted: true, KeyID: gcsKey}, "", false},
		{"gcs: another key", gcsKey, Attrs{KeyPerObject: true, Encrypted: true, KeyID: gcsKey + "-old"}, KindWrongKey, false},
		{"gcs: Google-managed key", gcsKey, Attrs{KeyPerObject: true, Encrypted: true}, KindUnencrypted, false},
		{"azure: server-encrypted, key on the account", "https://v.vault.azure.net/keys/backup", Attrs{Encrypted: true}, "", true},
		{"azure: not server-encrypted", "https://v.vault.azure.net/keys/backup", Attrs{}, KindUnencrypted, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake("SHA256", func(string) Lock { return Lock{} }, keepChecksum)
			for k, a := range f.attrs {
				if k == "db/part-2" {
					a.KeyPerObject, a.Encrypted, a.KeyID = c.attrs.KeyPerObject, c.attrs.Encrypted, c.attrs.KeyID
				} else {
					a.KeyPerObject, a.Encrypted, a.KeyID = c.attrs.KeyPerObject, true, c.want
				}
				f.attrs[k] = a
			}
			rep, err := Verify(context.Background(), f, Options{KeyID: c.want, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			assertFindings(t, rep, "db/part-2", c.kind)
			if got := len(rep.Notes) == 1; got != c.note {
				t.Errorf("notes %q: want a note on what was not checked: %v", rep.Notes, c.note)
			}
		})
	}
}
