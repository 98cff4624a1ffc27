package drill

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"google.golang.org/api/option"

	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// capture is a fake cloud endpoint that records every request.
type capture struct {
	mu       sync.Mutex
	requests []captured
	status   int
}

type captured struct {
	path, auth string
	body       []byte
}

func (c *capture) start(t *testing.T, reply string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.requests = append(c.requests, captured{path: r.URL.Path, auth: r.Header.Get("Authorization"), body: body})
		c.mu.Unlock()
		if c.status != 0 {
			http.Error(w, "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>", c.status)
			return
		}
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// planned is the offline plan of stack's resources.
func planned(t *testing.T, stack string) []plan.Resource {
	t.Helper()
	res, err := offline.Plan(repo(t), stack, wednesday)
	if err != nil {
		t.Fatal(err)
	}
	return res.Plan.Resources
}

func drillAlarms(rs []plan.Resource, typ string) []plan.Resource {
	var out []plan.Resource
	for _, r := range rs {
		if r.Type == typ && strings.HasPrefix(r.Name, "restore-drill") {
			out = append(out, r)
		}
	}
	return out
}

var result = Result{Stack: "", Succeeded: false, RestoreSeconds: 5400.5, At: time.Date(2026, 6, 9, 3, 40, 0, 0, time.UTC)}

// What the drill publishes to CloudWatch (captured at the HTTP level,
// signed with SigV4) is exactly what prod's planned alarms read: namespace,
// metric names and the Stack dimension.
func TestCloudWatchMetricIsWhatProdsAlarmsRead(t *testing.T) {
	c := &capture{}
	srv := c.start(t, "<PutMetricDataResponse/>")
	r := result
	r.Stack = "prod"
	pub := CloudWatch{Region: "eu-west-2", Endpoint: srv.URL, Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
	if err := pub.Publish(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if len(c.requests) != 1 || !strings.Contains(c.requests[0].auth, "/eu-west-2/monitoring/aws4_request") {
		t.Fatalf("want one SigV4-signed PutMetricData to monitoring in eu-west-2, got %+v", c.requests)
	}
	form, err := url.ParseQuery(string(c.requests[0].body))
	if err != nil {
		t.Fatal(err)
	}
	published := map[string]bool{}
	for i := 1; form.Get(fmt.Sprintf("MetricData.member.%d.MetricName", i)) != ""; i++ {
		p := fmt.Sprintf("MetricData.member.%d.", i)
		published[fmt.Sprintf("%s %s %s=%s", form.Get("Namespace"), form.Get(p+"MetricName"), form.Get(p+"Dimensions.member.1.Name"), form.Get(p+"Dimensions.member.1.Value"))] = true
	}
	read := map[string]bool{}
	alarms := drillAlarms(planned(t, "prod"), "aws:cloudwatch/metricAlarm:MetricAlarm")
	for _, a := range alarms {
		metrics := []map[string]any{a.Inputs}
		qs, _ := a.Inputs["metricQueries"].([]any)
		for _, q := range qs {
			if m, ok := q.(map[string]any)["metric"].(map[string]any); ok {
				metrics = append(metrics, m)
			}
		}
		for _, m := range metrics {
			if m["metricName"] == nil {
				continue
			}
			for k, v := range m["dimensions"].(map[string]any) {
				read[fmt.Sprintf("%s %s %s=%s", m["namespace"], m["metricName"], k, v)] = true
			}
		}
	}
	if len(alarms) == 0 || len(read) == 0 {
		t.Fatalf("prod plans no restore drill alarm reading a metric: %+v", alarms)
	}
	assertSameMetrics(t, published, read)
}

// What the drill writes to Cloud Monitoring through the API client
// (captured at the HTTP level) is what prod-gcp's planned alert policy
// queries, in the PromQL names Cloud Monitoring gives custom metrics.
func TestCloudMonitoringMetricIsWhatProdGCPsPolicyQueries(t *testing.T) {
	c := &capture{}
	srv := c.start(t, "{}")
	policies := drillAlarms(planned(t, "prod-gcp"), "gcp:monitoring/alertPolicy:AlertPolicy")
	if len(policies) != 1 {
		t.Fatalf("prod-gcp plans %d restore drill alert policies, want 1", len(policies))
	}
	project, _ := policies[0].Inputs["project"].(string)
	r := result
	r.Stack = "prod-gcp"
	pub := CloudMonitoring{Project: project, Options: []option.ClientOption{option.WithEndpoint(srv.URL + "/"), option.WithoutAuthentication()}}
	if err := pub.Publish(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if len(c.requests) != 1 || c.requests[0].path != "/v3/projects/"+project+"/timeSeries" {
		t.Fatalf("want one timeSeries.create in project %s, got %+v", project, c.requests)
	}
	var req struct {
		TimeSeries []struct {
			Metric struct {
				Type   string            `json:"type"`
				Labels map[string]string `json:"labels"`
			} `json:"metric"`
			Resource struct{ Type string } `json:"resource"`
		} `json:"timeSeries"`
	}
	if err := json.Unmarshal(c.requests[0].body, &req); err != nil {
		t.Fatal(err)
	}
	published := map[string]bool{}
	for _, ts := range req.TimeSeries {
		// PromQL's name of a Cloud Monitoring metric: the first "/" is ":",
		// other characters outside [a-zA-Z0-9_:] are "_".
		name := strings.Replace(ts.Metric.Type, "/", ":", 1)
		name = regexp.MustCompile(`[^a-zA-Z0-9_:]`).ReplaceAllString(name, "_")
		for k, v := range ts.Metric.Labels {
			published[fmt.Sprintf(`%s{monitored_resource=%q,%s=%q}`, name, ts.Resource.Type, k, v)] = true
		}
	}
	conditions, _ := policies[0].Inputs["conditions"].([]any)
	query := ""
	for _, cond := range conditions {
		if q, ok := cond.(map[string]any)["conditionPrometheusQueryLanguage"].(map[string]any); ok {
			query, _ = q["query"].(string)
		}
	}
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`[a-zA-Z0-9_:]+\{[^}]*\}`).FindAllString(query, -1) {
		read[m] = true
	}
	if !strings.Contains(query, "absent_over_time(") {
		t.Errorf("the policy does not fire on a missing drill: %s", query)
	}
	assertSameMetrics(t, published, read)
}

// What the drill sends to Application Insights (captured at the HTTP
// level) is what prod-azure's planned log search alert queries: the metric
// names and the Stack dimension.
func TestAppInsightsMetricIsWhatProdAzuresRuleQueries(t *testing.T) {
	c := &capture{}
	srv := c.start(t, `{"itemsReceived":2,"itemsAccepted":2,"errors":[]}`)
	rules := drillAlarms(planned(t, "prod-azure"), "azure-native:insights:ScheduledQueryRule")
	if len(rules) != 1 {
		t.Fatalf("prod-azure plans %d restore drill rules, want 1", len(rules))
	}
	r := result
	r.Stack = "prod-azure"
	pub := AppInsights{ConnectionString: "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=" + srv.URL + "/;LiveEndpoint=https://example"}
	if err := pub.Publish(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if len(c.requests) != 1 || c.requests[0].path != "/v2.1/track" {
		t.Fatalf("want one POST to the ingestion endpoint's v2.1/track, got %+v", c.requests)
	}
	var envelopes []struct {
		IKey string `json:"iKey"`
		Data struct {
			BaseType string `json:"baseType"`
			BaseData struct {
				Metrics    []struct{ Name string } `json:"metrics"`
				Properties map[string]string       `json:"properties"`
			} `json:"baseData"`
		} `json:"data"`
	}
	if err := json.Unmarshal(c.requests[0].body, &envelopes); err != nil {
		t.Fatal(err)
	}
	published, read := map[string]bool{}, map[string]bool{}
	criteria, _ := rules[0].Inputs["criteria"].(map[string]any)
	allOf, _ := criteria["allOf"].([]any)
	query, _ := allOf[0].(map[string]any)["query"].(string)
	for _, e := range envelopes {
		for _, m := range e.Data.BaseData.Metrics {
			for k, v := range e.Data.BaseData.Properties {
				published[fmt.Sprintf("%s %s=%s", m.Name, k, v)] = true
			}
		}
	}
	names := regexp.MustCompile(`name in \(([^)]*)\)`).FindStringSubmatch(query)
	dims := regexp.MustCompile(`customDimensions\.(\w+)\) == "([^"]*)"`).FindStringSubmatch(query)
	if names == nil || dims == nil {
		t.Fatalf("the rule's query names no metrics or dimension: %s", query)
	}
	for _, n := range strings.Split(names[1], ",") {
		read[fmt.Sprintf("%s %s=%s", strings.Trim(strings.TrimSpace(n), `"`), dims[1], dims[2])] = true
	}
	assertSameMetrics(t, published, read)
}

func assertSameMetrics(t *testing.T, published, read map[string]bool) {
	t.Helper()
	keys := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	if p, r := keys(published), keys(read); !slices.Equal(p, r) {
		t.Errorf("the drill publishes\n  %s\nthe planned alarm reads\n  %s", strings.Join(p, "\n  "), strings.Join(r, "\n  "))
	}
}

// A refused publish (no permission, a wrong region) is an error naming the
// call and the cloud's answer, not a silent success.
func TestARefusedPublishIsAnError(t *testing.T) {
	c := &capture{status: http.StatusForbidden}
	srv := c.start(t, "")
	pub := CloudWatch{Region: "eu-west-2", Endpoint: srv.URL, Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
	err := pub.Publish(context.Background(), Result{Stack: "prod", At: time.Now()})
	if err == nil || !strings.Contains(err.Error(), "PutMetricData") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("a 403 from CloudWatch gave %v", err)
	}
}
