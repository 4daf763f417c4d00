package web

import (
	"fmt"
	"html"
	"html/template"
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

// Chart geometry, in SVG units of a 320×150 picture.
const (
	chartDays   = 30
	chartLeft   = 34.0
	chartRight  = 310.0
	chartTop    = 12.0
	chartBottom = 112.0
)

// dayPoint is one day's average mood and craving.
type dayPoint struct {
	moodSum, moods       int
	cravingSum, cravings int
	used                 bool
}

// moodChart draws the last 30 days: mood (solid line, 1 at the bottom, 5 at
// the top) and craving (dashed, 0 to 10), one point a day (the day's
// average), gaps where there was no check-in, and a mark on days the member
// said they used.
func moodChart(v *view, checkIns []members.CheckIn, today time.Time, zone *time.Location) template.HTML {
	first := today.AddDate(0, 0, -(chartDays - 1))
	var days [chartDays]dayPoint
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
	x := func(i int) float64 { return chartLeft + float64(i)*(chartRight-chartLeft)/(chartDays-1) }
	y := func(frac float64) float64 { return chartBottom - frac*(chartBottom-chartTop) }

	title := html.EscapeString(v.T("chart.title"))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 320 150" role="img" aria-labelledby="chart-t"><title id="chart-t">%s</title>`, title)
	// Grid: bottom, middle, top.
	for _, f := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#ccc" stroke-width="1"/>`, chartLeft, chartRight, y(f), y(f))
	}
	fmt.Fprintf(&b, `<text x="2" y="%.0f" font-size="11" fill="#0b5d57">%s</text>`, y(1)+4, html.EscapeString(v.T("chart.high")))
	fmt.Fprintf(&b, `<text x="2" y="%.0f" font-size="11" fill="#0b5d57">%s</text>`, y(0)+4, html.EscapeString(v.T("chart.low")))
	fmt.Fprintf(&b, `<text x="%.0f" y="132" font-size="11" fill="#333">%s</text>`, chartLeft, html.EscapeString(v.T("chart.start")))
	fmt.Fprintf(&b, `<text x="%.0f" y="132" font-size="11" fill="#333" text-anchor="end">%s</text>`, chartRight, html.EscapeString(v.T("chart.today")))

	type point struct{ x, y float64 }
	line := func(value func(d dayPoint) (float64, bool), attrs string) {
		var pts []point
		flush := func() {
			switch len(pts) {
			case 0:
			case 1: // a lone day is a dot, not an invisible line
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" %s/>`, pts[0].x, pts[0].y, strings.Replace(attrs, "stroke=", "fill=", 1))
			default:
				b.WriteString(`<polyline fill="none" points="`)
				for i, p := range pts {
					if i > 0 {
						b.WriteByte(' ')
					}
					fmt.Fprintf(&b, "%.1f,%.1f", p.x, p.y)
				}
				fmt.Fprintf(&b, `" %s/>`, attrs)
			}
			pts = pts[:0]
		}
		for i, d := range days {
			f, ok := value(d)
			if !ok {
				flush()
				continue
			}
			pts = append(pts, point{x(i), y(f)})
		}
		flush()
	}
	line(func(d dayPoint) (float64, bool) {
		if d.cravings == 0 {
			return 0, false
		}
		return float64(d.cravingSum) / float64(d.cravings) / 10, true
	}, `stroke="#b3261e" stroke-width="2.5" stroke-dasharray="6 4"`)
	line(func(d dayPoint) (float64, bool) {
		if d.moods == 0 {
			return 0, false
		}
		return (float64(d.moodSum)/float64(d.moods) - 1) / 4, true
	}, `stroke="#0b5d57" stroke-width="3"`)
	for i, d := range days {
		if d.used {
			fmt.Fprintf(&b, `<path d="M%.1f 146l-5-8h10z" fill="#5b3f8c"/>`, x(i))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
