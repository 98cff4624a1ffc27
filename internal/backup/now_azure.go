package backup

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// azureBackupAPI is the Microsoft.DBforPostgreSQL API version of on-demand
// backups of a flexible server ("Backups - Create",
// https://learn.microsoft.com/rest/api/postgresql/flexibleserver/backups/create),
// the version the stack deploys the server with.
const azureBackupAPI = "2024-08-01"

// startAzure starts an on-demand backup of the flexible server through
// Azure Resource Manager (azcore's ARM pipeline: bearer token, retries,
// the long-running operation's Azure-AsyncOperation header). The export
// into the locked container is Azure Backup's vault job; its ad-hoc
// trigger needs the backup instance's id, which the stack does not export
// yet, so it is not started here.
func startAzure(ctx context.Context, d Database, o NowOptions) ([]Job, error) {
	cred := o.AzureCredential
	if cred == nil {
		c, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("azure credentials: %w", err)
		}
		cred = c
	}
	opts := &arm.ClientOptions{}
	endpoint := cloud.AzurePublic.Services[cloud.ResourceManager].Endpoint
	if ep := o.Endpoints["azure"]; ep != "" {
		endpoint = ep
		opts.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: cloud.AzurePublic.ActiveDirectoryAuthorityHost,
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: {Endpoint: ep, Audience: "https://management.azure.com"}}}
	}
	if o.HTTPClient != nil {
		opts.Transport = o.HTTPClient
	}
	client, err := arm.NewClient("wedsync-infra", "v1.0.0", cred, opts)
	if err != nil {
		return nil, err
	}
	name := "wedsync-now-" + o.Now.UTC().Format("20060102t150405z")
	u := strings.TrimSuffix(endpoint, "/") + d.Target + "/backups/" + name + "?api-version=" + azureBackupAPI
	req, err := runtime.NewRequest(ctx, http.MethodPut, u)
	if err != nil {
		return nil, err
	}
	resp, err := client.Pipeline().Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode >= 300 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return nil, fmt.Errorf("on-demand backup PUT %s: %s: %s", d.Target+"/backups/"+name, resp.Status, strings.TrimSpace(string(data)))
	}
	group, server := azureServer(d.Target)
	j := Job{Cloud: "azure", Kind: "backup", ID: name, Target: d.Target,
		Watch: fmt.Sprintf("az postgres flexible-server backup show --resource-group %s --name %s --backup-name %s", group, server, name)}
	if status := resp.Header.Get("Azure-AsyncOperation"); status != "" && o.Wait > 0 {
		err = poll(ctx, o, &j, o.Wait, func() (string, bool, bool, error) { return azureStatus(ctx, client, status) })
	}
	return []Job{j}, err
}

// azureStatus reads a long-running operation's status.
func azureStatus(ctx context.Context, client *arm.Client, u string) (string, bool, bool, error) {
	req, err := runtime.NewRequest(ctx, http.MethodGet, u)
	if err != nil {
		return "", false, false, err
	}
	resp, err := client.Pipeline().Do(req)
	if err != nil {
		return "", false, false, err
	}
	defer func() { _ = resp.Body.Close() }()
	var st struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return "", false, false, err
	}
	failed := st.Status == "Failed" || st.Status == "Canceled"
	return st.Status, st.Status == "Succeeded" || failed, failed, nil
}

// azureServer is the resource group and server name of a server id.
func azureServer(id string) (string, string) {
	parts := strings.Split(id, "/")
	group, server := "", ""
	for i := 0; i+1 < len(parts); i++ {
		switch strings.ToLower(parts[i]) {
		case "resourcegroups":
			group = parts[i+1]
		case "flexibleservers":
			server = parts[i+1]
		}
	}
	return group, server
}
