package web

import (
	"cmp"
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"hearth/node/finder"
	"hearth/node/members"
)

// Pictures are inline SVG: no extra request on a slow link, no script, and
// they scale to any screen. Colours are SVG presentation attributes, which
// the page's Content-Security-Policy allows (style attributes it does not).

// faceMouths are the mouths of the five mood faces, from very low to very good.
var faceMouths = [6]string{
	1: "M12 30Q20 21 28 30",
	2: "M12 29Q20 25 28 29",
	3: "M12 27H28",
	4: "M12 25Q20 30 28 25",
	5: "M11 23Q20 34 29 23",
}

var faceFills = [6]string{1: "#f0c4bf", 2: "#f5d9b5", 3: "#f3eab0", 4: "#cde6b9", 5: "#a9dcc9"}

// faceSymbols is the SVG sprite of the five faces, put once in a page that
// shows faces; moodFace then refers to it.
func faceSymbols() template.HTML {
	var b strings.Builder
	b.WriteString(`<svg class="sprite" aria-hidden="true" focusable="false"><defs>`)
	for m := 1; m <= 5; m++ {
		fmt.Fprintf(&b, `<symbol id="face%d" viewBox="0 0 40 40"><circle cx="20" cy="20" r="18" fill="%s" stroke="#222" stroke-width="2"/><circle cx="14" cy="16" r="2.4" fill="#222"/><circle cx="26" cy="16" r="2.4" fill="#222"/><path d="%s" fill="none" stroke="#222" stroke-width="2.4" stroke-linecap="round"/></symbol>`,
			m, faceFills[m], faceMouths[m])
	}
	b.WriteString(`</defs></svg>`)
	return template.HTML(b.String())
}

// moodFace is one mood face (1-5) from the sprite; decorative, since the
// word for the mood is always next to it.
func moodFace(mood int) template.HTML {
	if mood < 1 || mood > 5 {
		return ""
	}
	return template.HTML(fmt.Sprintf(`<svg class="face" viewBox="0 0 40 40" aria-hidden="true" focusable="false"><use href="#face%d"/></svg>`, mood))
}

// The last 30 days are drawn as two small charts, one above the other on
// the same days: mood (1 at the bottom, 5 at the top; circles joined by a
// solid line) and craving (0 to 10; squares joined by a dashed line, a
// triangle under each day the member said they used). One point a day, the
// day's average; gaps where there was no check-in; a line and a date each
// week. Shapes and separate charts carry the meaning, not colour alone,
// and a sentence says it in words (chartSummary) for everyone, screen
// readers first.

// Chart geometry, in SVG units of a chartWidth-wide picture.
const (
	chartDays   = 30
	chartWidth  = 320.0
	chartLeft   = 66.0 // room for "Very good" and "Très bien"
	chartRight  = 312.0
	panelTop    = 24.0 // below the chart's name
	panelHeight = 70.0
)

// dayPoint is one day's check-ins, summed.
type dayPoint struct {
	moodSum, moods       int
	cravingSum, cravings int
	used                 bool
}

func (d dayPoint) mood() (float64, bool) {
	return float64(d.moodSum) / float64(max(d.moods, 1)), d.moods > 0
}

func (d dayPoint) craving() (float64, bool) {
	return float64(d.cravingSum) / float64(max(d.cravings, 1)), d.cravings > 0
}

// chartDaysOf sums check-ins by day, the last of them today, each day
// as the hub's zone reads it.
func chartDaysOf(checkIns []members.CheckIn, today time.Time, zone *time.Location) (first time.Time, days [chartDays]dayPoint) {
	first = today.AddDate(0, 0, -(chartDays - 1))
	for _, c := range checkIns {
		i := finder.DaysBetween(first, c.At.In(zone))
		if i < 0 || i >= chartDays {
			continue
		}
		d := &days[i]
		if c.Mood >= 1 && c.Mood <= 5 {
			d.moodSum += c.Mood
			d.moods++
		}
		if c.Craving != nil {
			d.cravingSum += *c.Craving
			d.cravings++
		}
		d.used = d.used || c.Used
	}
	return first, days
}

// moodCharts draws the two charts of the last 30 days, each an image whose
// description is the summary (summaryID).
func moodCharts(v *view, checkIns []members.CheckIn, today time.Time, zone *time.Location, summaryID string) template.HTML {
	first, days := chartDaysOf(checkIns, today, zone)
	var b strings.Builder
	panel(&b, v, first, "chart-mood", v.T("chart.mood"), v.T("chart.mood.title"), summaryID,
		[3]string{v.T("mood.5"), v.T("mood.3"), v.T("mood.1")}, false,
		days[:], func(d dayPoint) (float64, bool) {
			m, ok := d.mood()
			return (m - 1) / 4, ok
		}, "#0b5d57", "", circleMark)
	panel(&b, v, first, "chart-craving", v.T("chart.craving"), v.T("chart.craving.title"), summaryID,
		[3]string{"10", "5", "0"}, true,
		days[:], func(d dayPoint) (float64, bool) {
			c, ok := d.craving()
			return c / 10, ok
		}, "#b3261e", ` stroke-dasharray="6 4"`, squareMark)
	return template.HTML(b.String())
}

// A mark is the shape of one day's point.
type mark func(b *strings.Builder, x, y float64, colour string)

func circleMark(b *strings.Builder, x, y float64, colour string) {
	fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>`, x, y, colour)
}

func squareMark(b *strings.Builder, x, y float64, colour string) {
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="8" height="8" fill="#fff" stroke="%s" stroke-width="2.5"/>`, x-4, y-4, colour)
}

// panel draws one chart: its name, its three level labels (top, middle, bottom), a
// line a week with the date under it (withDates, on the lower chart), and
// the day points of value (0 to 1), joined while days follow each other.
func panel(b *strings.Builder, v *view, first time.Time, id, name, title, describedBy string, levels [3]string, withDates bool,
	days []dayPoint, value func(dayPoint) (float64, bool), colour, dash string, m mark) {
	height := panelTop + panelHeight + 14
	if withDates {
		height += 30
	}
	x := func(i int) float64 { return chartLeft + float64(i)*(chartRight-chartLeft)/(chartDays-1) }
	y := func(frac float64) float64 { return panelTop + panelHeight - frac*panelHeight }
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t" aria-describedby="%s"><title id="%s-t">%s</title>`,
		chartWidth, height, id, describedBy, id, html.EscapeString(title))
	fmt.Fprintf(b, `<text x="2" y="13" font-size="12" font-weight="700" fill="#1a1a1a" aria-hidden="true">%s</text>`, html.EscapeString(name))
	for i, f := range []float64{1, 0.5, 0} {
		fmt.Fprintf(b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#ccc" stroke-width="1"/>`, chartLeft, chartRight, y(f), y(f))
		fmt.Fprintf(b, `<text x="%.0f" y="%.1f" font-size="11" fill="#333" text-anchor="end">%s</text>`, chartLeft-6, y(f)+4, html.EscapeString(levels[i]))
	}
	// A line each week back from today, dated on the lower chart.
	for i := chartDays - 1; i >= 0; i -= 7 {
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#999" stroke-width="1" stroke-dasharray="2 3"/>`, x(i), x(i), y(1), y(0)+4)
		if withDates {
			day := first.AddDate(0, 0, i)
			label := v.T("chart.tick", day.Day(), v.T("monthshort."+strconv.Itoa(int(day.Month()))))
			if i == chartDays-1 {
				label = v.T("chart.today")
			}
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" fill="#333" text-anchor="middle">%s</text>`, min(x(i), chartRight-14), y(0)+42, html.EscapeString(label))
		}
	}
	type point struct{ x, y float64 }
	var run []point
	flush := func() {
		if len(run) > 1 {
			b.WriteString(`<polyline fill="none" points="`)
			for i, p := range run {
				if i > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(b, "%.1f,%.1f", p.x, p.y)
			}
			fmt.Fprintf(b, `" stroke="%s" stroke-width="2.5"%s/>`, colour, dash)
		}
		for _, p := range run {
			m(b, p.x, p.y, colour)
		}
		run = run[:0]
	}
	for i, d := range days {
		f, ok := value(d)
		if !ok {
			flush()
			continue
		}
		run = append(run, point{x(i), y(f)})
	}
	flush()
	if withDates {
		for i, d := range days {
			if d.used {
				fmt.Fprintf(b, `<path d="M%.1f %.1fl-5 9h10z" fill="#5b3f8c"/>`, x(i), y(0)+16)
			}
		}
	}
	b.WriteString(`</svg>`)
}

// chartSummary says the last 30 days in words, as the charts show them:
// this week's check-ins, the mood most often given, and the craving on
// average against last week's. "this week" is the seven days to today.
func chartSummary(v *view, checkIns []members.CheckIn, today time.Time, zone *time.Location) string {
	_, days := chartDaysOf(checkIns, today, zone)
	var thisWeek, lastWeek []dayPoint
	thisWeek, lastWeek = days[chartDays-7:], days[chartDays-14:chartDays-7]
	count, used := 0, 0
	var moods [6]int
	for _, c := range checkIns {
		if i := finder.DaysBetween(today, c.At.In(zone)); i > -7 && i <= 0 {
			count++
			if c.Mood >= 1 && c.Mood <= 5 {
				moods[c.Mood]++
			}
		}
	}
	for _, d := range thisWeek {
		if d.used {
			used++
		}
	}
	if count == 0 {
		for _, d := range days {
			if d.moods > 0 || d.cravings > 0 {
				return v.T("chart.summary.quietweek")
			}
		}
		return v.T("chart.summary.none")
	}
	parts := []string{v.T("chart.summary.count", count)}
	// The mood given most often; if two tie, the range, which says more
	// honestly what the week was like.
	best, tie, low, high := 0, false, 0, 0
	for m := 1; m <= 5; m++ {
		switch {
		case moods[m] == 0:
			continue
		case best == 0 || moods[m] > moods[best]:
			best, tie = m, false
		case moods[m] == moods[best]:
			tie = true
		}
		low, high = cmp.Or(low, m), m
	}
	moodWord := func(m int) string { return strings.ToLower(v.T("mood." + strconv.Itoa(m))) }
	switch {
	case best == 0:
	case tie:
		parts = append(parts, v.T("chart.summary.moodrange", moodWord(low), moodWord(high)))
	default:
		parts = append(parts, v.T("chart.summary.mood", moodWord(best)))
	}
	now, okNow := averageCraving(thisWeek)
	before, okBefore := averageCraving(lastWeek)
	switch {
	case !okNow:
	case !okBefore:
		parts = append(parts, v.T("chart.summary.craving", int(math.Round(now))))
	case now < before-0.5:
		parts = append(parts, v.T("chart.summary.lower", int(math.Round(now)), int(math.Round(before))))
	case now > before+0.5:
		parts = append(parts, v.T("chart.summary.higher", int(math.Round(now)), int(math.Round(before))))
	default:
		parts = append(parts, v.T("chart.summary.same", int(math.Round(now))))
	}
	if used > 0 {
		parts = append(parts, v.T("chart.summary.used", used))
	}
	return strings.Join(parts, " ")
}

// averageCraving is the mean of the days' craving averages.
func averageCraving(days []dayPoint) (float64, bool) {
	sum, n := 0.0, 0
	for _, d := range days {
		if c, ok := d.craving(); ok {
			sum += c
			n++
		}
	}
	return sum / float64(max(n, 1)), n > 0
}
