package backup

import (
	"context"
	"fmt"
	"os"
	"strings"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"google.golang.org/api/option"
)

// Endpoints are storage endpoints by cloud (aws, gcp, azure) that replace
// the clouds' own: an S3-compatible URL, a GCS JSON API URL, or an Azure
// account's blob service URL. Empty: the cloud's own.
type Endpoints map[string]string

// ParseEndpoints reads --endpoint values: "cloud=URL", or a bare URL that
// applies to every cloud (the by-hand path, one bucket).
func ParseEndpoints(values []string) (Endpoints, error) {
	out := Endpoints{}
	for _, v := range values {
		cloud, url, ok := strings.Cut(v, "=")
		if !ok {
			for _, c := range []string{"aws", "gcp", "azure"} {
				out[c] = v
			}
			continue
		}
		if cloud != "aws" && cloud != "gcp" && cloud != "azure" {
			return nil, fmt.Errorf("--endpoint %q: the cloud before = must be aws, gcp or azure", v)
		}
		out[cloud] = url
	}
	return out, nil
}

// Open opens a tier's store on the cloud's own SDK with the ambient
// identity: the AWS default chain, Google application default credentials
// (or STORAGE_EMULATOR_HOST), on Azure the account key in
// AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY when set (as the az CLI reads
// them), else DefaultAzureCredential.
func Open(ctx context.Context, t Tier, ep Endpoints) (Store, error) {
	endpoint := ep[t.Cloud]
	switch t.Cloud {
	case "aws":
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(regionOr(t.Region)))
		if err != nil {
			return nil, err
		}
		return &S3Store{Bucket: t.Bucket, Client: s3.NewFromConfig(cfg, func(o *s3.Options) {
			// verify hashes every byte itself; the SDK's note that an
			// object has no checksum to validate is noise on stderr.
			o.DisableLogOutputChecksumValidationSkipped = true
			if endpoint != "" {
				o.BaseEndpoint, o.UsePathStyle = &endpoint, true
			}
		})}, nil
	case "gcp":
		// JSON API reads: the same bytes as the XML API, and what the
		// emulator serves.
		opts := []option.ClientOption{storage.WithJSONReads()}
		if endpoint != "" {
			opts = append(opts, option.WithEndpoint(endpoint))
		}
		c, err := storage.NewClient(ctx, opts...)
		if err != nil {
			return nil, err
		}
		return &GCSStore{Client: c, Bucket: t.Bucket}, nil
	case "azure":
		return openAzure(t, endpoint)
	}
	return nil, fmt.Errorf("cloud %q: allowed are aws, gcp, azure", t.Cloud)
}

func regionOr(r string) string {
	if r != "" {
		return r
	}
	return os.Getenv("AWS_REGION")
}

func openAzure(t Tier, endpoint string) (Store, error) {
	url := t.URL
	if endpoint != "" || url == "" {
		url = strings.TrimSuffix(endpoint, "/") + "/" + t.Bucket
	}
	if url == "/"+t.Bucket {
		return nil, fmt.Errorf("azure %s: no container URL; give --endpoint with the account's blob URL", t.Bucket)
	}
	name := strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
	if account, key := os.Getenv("AZURE_STORAGE_ACCOUNT"), os.Getenv("AZURE_STORAGE_KEY"); account != "" && key != "" {
		cred, err := container.NewSharedKeyCredential(account, key)
		if err != nil {
			return nil, err
		}
		c, err := container.NewClientWithSharedKeyCredential(url, cred, nil)
		if err != nil {
			return nil, err
		}
		return &AzureStore{Client: c, Name: name}, nil
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, err
	}
	c, err := container.NewClient(url, cred, nil)
	if err != nil {
		return nil, err
	}
	return &AzureStore{Client: c, Name: name}, nil
}
