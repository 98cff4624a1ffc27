package backup

import (
	"context"
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
)

func azContainer(t testing.TB, url string, rt http.RoundTripper) *container.Client {
	cred, err := container.NewSharedKeyCredential("devstoreaccount1", backuptest.AzuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := container.NewClientWithSharedKeyCredential(url, cred,
		&container.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: &http.Client{Transport: rt}, Retry: policy.RetryOptions{MaxRetries: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// azureEmulator is Azurite. It records Content-MD5 for a single-request
// upload, as Blob Storage does; it has no version-level immutability
// (TestLockAtTheInterface).
func azureEmulator(t *testing.T) emulator {
	url := backuptest.StartAzurite(t).URL
	return emulator{name: "azurite", cloudChecksum: "MD5", newBucket: func(t testing.TB, name string) (func(string, []byte), Store) {
		seed := azContainer(t, url+"/"+name, http.DefaultTransport)
		ctx := context.Background()
		if _, err := seed.Create(ctx, nil); err != nil {
			t.Fatal(err)
		}
		put := func(key string, data []byte) {
			if _, err := seed.NewBlockBlobClient(key).UploadBuffer(ctx, data, nil); err != nil {
				t.Fatal(err)
			}
		}
		return put, &AzureStore{Client: azContainer(t, url+"/"+name, readOnly{t, http.DefaultTransport}), Name: "devstoreaccount1/" + name}
	}}
}

func TestAzureEmulator(t *testing.T) {
	runScenarios(t, azureEmulator(t))
}
