package policyreport

import (
	"html/template"
	"io"
)

// page is one self-contained HTML page: styles inline, no script, no
// fetched asset, so a CI artifact opens anywhere.
var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Policy report: {{.Project}}/{{.Stack}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1d2433;max-width:1200px}
h1{font-size:1.5rem;margin-bottom:.2rem}
h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7e2;padding-bottom:.3rem}
.meta{color:#5b6577;margin:0 0 1rem}
.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.card{border:1px solid #d0d7e2;border-radius:8px;padding:.7rem 1.1rem;min-width:8rem}
.card b{display:block;font-size:1.6rem}
.card.fail b{color:#b42318}.card.warn b{color:#b54708}.card.pass b{color:#067647}.card.nc b{color:#9a6700}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e6eaf0;vertical-align:top}
th{background:#f4f6f9;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600;border-radius:4px;padding:.05rem .4rem}
.st-pass{background:#dcfae6;color:#067647}.st-fail{background:#fee4e2;color:#b42318}.st-warn{background:#fef0c7;color:#b54708}.st-n\/a{background:#eef0f3;color:#5b6577}
tr.fail td{background:#fff6f5}tr.warn td{background:#fffcf0}
.urn{font-family:ui-monospace,monospace;font-size:.75rem;color:#b42318;word-break:break-all}
code{font-family:ui-monospace,monospace;font-size:.8rem}
.src{color:#5b6577;font-size:.8rem}
</style>
</head>
<body>
<h1>Policy report: {{.Project}}/{{.Stack}}</h1>
<p class="meta">Environment <b>{{.Environment}}</b>{{if .PlannedAt}}, planned for {{.PlannedAt}}{{end}}. Judged at plan time, before anything is deployed.</p>
<div class="cards">
<div class="card"><b>{{.Summary.Controls}}</b>control rows</div>
<div class="card pass"><b>{{.Summary.Passed}}</b>pass</div>
<div class="card fail"><b>{{.Summary.Failed}}</b>fail</div>
<div class="card warn"><b>{{.Summary.Warned}}</b>warn (advisory)</div>
<div class="card"><b>{{.Summary.NoneJudged}}</b>nothing to judge</div>
<div class="card nc"><b>{{.Summary.NotCovered}}</b>not covered</div>
</div>
<h2>Controls the pack checks</h2>
<table>
<thead><tr><th>Framework</th><th>Control</th><th>Title</th><th>Rule</th><th>Checked</th><th>Passed</th><th>Failed</th><th>N/A</th><th>Status</th></tr></thead>
<tbody>
{{range .Judged}}<tr class="{{.Status}}"><td>{{.Framework}}</td><td><b>{{.ID}}</b></td><td>{{.Title}}{{range .FailedResources}}<div class="urn">{{.}}</div>{{end}}</td><td><code>{{.Rule}}</code> <span class="src">{{.Level}}</span></td><td class="n">{{.Checked}}</td><td class="n">{{.Passed}}</td><td class="n">{{.Failed}}</td><td class="n">{{.NotApplicable}}</td><td><span class="status st-{{.Status}}">{{.Status}}</span></td></tr>
{{end}}</tbody>
</table>
{{with .Unjudged}}<p class="src">Nothing of their types in this stack: {{range $i, $c := .}}{{if $i}}, {{end}}{{$c}}{{end}}.</p>{{end}}
<h2>Not covered: controls that apply to this stack's resource types and that no rule checks</h2>
<table>
<thead><tr><th>Framework</th><th>Control</th><th>Title</th><th>Resource types</th><th>Resources</th></tr></thead>
<tbody>
{{range .NotCovered}}<tr><td>{{.Framework}}</td><td><b>{{.ID}}</b></td><td>{{.Title}}</td><td>{{range .ResourceTypes}}<code>{{.}}</code><br>{{end}}</td><td class="n">{{.Resources}}</td></tr>
{{end}}</tbody>
</table>
<h2>Sources</h2>
<ul class="src">{{range .Sources}}<li>{{.}}</li>{{end}}</ul>
</body>
</html>
`))

func writeHTML(w io.Writer, d *Doc) error { return page.Execute(w, d) }
