package season

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The generators write cron expressions; they never read them (the
// simulators have their own parser, simcron.go). Three forms are written:
// weekly "M H * * D" (optionally with a month list), yearly dated
// "M H D Mo *", and GCP's one-time "M H D Mo * Y" with the year field.

// weeklyCron is the cron expression firing at w every week.
func weeklyCron(w weekTime) string {
	return fmt.Sprintf("%d %d * * %d", w.minute%60, w.minute/60, int(w.day))
}

// weeklyCronInMonths fires at w every week of the given months.
func weeklyCronInMonths(w weekTime, months []int) string {
	return fmt.Sprintf("%d %d * %s %d", w.minute%60, w.minute/60, cronList(months), int(w.day))
}

// dateCron is the cron expression firing at minute on day d of month m,
// every year.
func dateCron(m time.Month, d, minute int) string {
	return fmt.Sprintf("%d %d %d %d *", minute%60, minute/60, d, int(m))
}

// onceCron fires once, at t's UTC wall time: GCP's extended cron with the
// year field, for a schedule in the "UTC" zone.
func onceCron(t time.Time) string {
	u := t.UTC()
	return fmt.Sprintf("%d %d %d %d * %d", u.Minute(), u.Hour(), u.Day(), int(u.Month()), u.Year())
}

// cronList writes sorted values as a list of ranges: 1-2,4-9,11-12.
func cronList(vs []int) string {
	var parts []string
	for i := 0; i < len(vs); {
		j := i
		for j+1 < len(vs) && vs[j+1] == vs[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(vs[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", vs[i], vs[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
