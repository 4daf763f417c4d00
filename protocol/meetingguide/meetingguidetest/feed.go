// Package meetingguidetest generates Meeting Guide feeds for benchmarks and
// tests across packages: the size of a country's meetings, which no real
// feed in testdata is.
package meetingguidetest

import (
	"encoding/json"
	"fmt"
)

// Feed is a Meeting Guide feed of n weekly meetings shaped like the real
// ones: some days as strings or names, some positions as strings, a third
// online, split and formatted addresses, contacts on some. Half the rows
// name no time zone, as many feeds do. Slugs are "meeting-0" onwards.
func Feed(n int) []byte {
	days := []any{0, "1", "Tuesday", 3, "4", "fri", 6}
	types := [][]string{{"O", "D"}, {"C", "BE", "S"}, {"O", "SP", "X", "EN"}, {"TC", "ONL", "O", "LIT"}}
	rows := make([]map[string]any, n)
	for i := range rows {
		r := map[string]any{
			"slug":     fmt.Sprintf("meeting-%d", i),
			"name":     fmt.Sprintf("Serenity Group %d", i),
			"day":      days[i%7],
			"time":     fmt.Sprintf("%d:%02d", 6+i%16, (i*15)%60),
			"end_time": fmt.Sprintf("%02d:%02d", 7+i%16, (i*15)%60),
			"types":    types[i%len(types)],
			"notes":    "Meets in the back room. Literature table by the door; newcomers welcome.",
			"location": "Community Hall",
			"region":   "Region " + fmt.Sprint(i%40),
			"updated":  "9/6/2021",
		}
		if i%2 == 0 {
			r["formatted_address"] = fmt.Sprintf("%d Main St, Anytown, CA 9%04d, USA", i%900+1, i%10000)
			r["latitude"], r["longitude"] = 37.0+float64(i%1000)/1000, -122.0-float64(i%1000)/1000
		} else {
			r["address"], r["city"], r["state"], r["country"] = fmt.Sprintf("%d Oak Ave", i%500+1), "Anytown", "CA", "USA"
			r["latitude"], r["longitude"] = fmt.Sprint(37.5), fmt.Sprint(-122.25)
			r["timezone"] = "America/Los_Angeles"
		}
		if i%3 == 0 {
			r["conference_url"] = fmt.Sprintf("https://us02web.zoom.us/j/%d", 1000000+i)
			r["conference_phone"] = "+16699006833,,123456#"
		}
		if i%5 == 0 {
			r["contact_1_name"], r["contact_1_email"] = "Sam", "contact@example.org"
		}
		rows[i] = r
	}
	feed, err := json.Marshal(rows)
	if err != nil {
		panic(err) // maps of strings and numbers always marshal
	}
	return feed
}
