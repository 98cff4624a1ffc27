package backup

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// Azurite's well-known development account
// (https://learn.microsoft.com/azure/storage/common/storage-use-azurite).
const azuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

// startAzurite runs the Azurite blob service the Makefile pins into
// .bin/node_modules, on a free loopback port, in memory.
func startAzurite(t *testing.T) string {
	node, err := exec.LookPath("node")
	if err != nil {
		// make test sets WEDSYNC_REQUIRE_EMULATORS: there a missing
		// emulator fails the run instead of skipping silently.
		if os.Getenv("WEDSYNC_REQUIRE_EMULATORS") != "" {
			t.Fatal("node is not installed: the Azure Blob tests need Azurite (make node azurite)")
		}
		t.Skip("node is not installed: the Azure Blob tests need Azurite; install Node.js, then `make azurite`")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(root, ".bin/node_modules/azurite/dist/src/blob/main.js")
	if _, err := os.Stat(main); err != nil {
		t.Fatalf("Azurite is not installed at %s: run `make azurite`", main)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(node, main, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
		"--inMemoryPersistence", "--skipApiVersionCheck", "--silent")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			return "http://" + addr + "/devstoreaccount1"
		}
	}
	t.Fatalf("Azurite did not listen on %s within 30s", addr)
	return ""
}

func azContainer(t testing.TB, url string, rt http.RoundTripper) *container.Client {
	cred, err := container.NewSharedKeyCredential("devstoreaccount1", azuriteKey)
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
	url := startAzurite(t)
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
