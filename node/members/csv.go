package members

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// csvHeader is the first row of an export.
var csvHeader = []string{"at", "mood", "craving", "used", "triggers", "meeting", "note", "unsafe"}

// ExportCSV writes check-ins as CSV (RFC 4180) for the member to keep or
// take to a counsellor: a header row, then one row per check-in in the
// order given. Times are RFC 3339 in the zone each At carries; a missing
// craving is an empty cell; triggers are joined with "; ".
//
// A spreadsheet runs a cell that starts with = + - or @ as a formula, so a
// note like "=HYPERLINK(...)" could act when the file is opened. Such cells
// (and those starting with a tab or carriage return, which some
// spreadsheets skip before looking) get a leading apostrophe, which
// spreadsheets hide and treat as "this is text".
func ExportCSV(w io.Writer, cs []CheckIn) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("members: export: %w", err)
	}
	row := make([]string, len(csvHeader))
	for _, c := range cs {
		craving := ""
		if c.Craving != nil {
			craving = strconv.Itoa(*c.Craving)
		}
		row[0] = c.At.Format(time.RFC3339)
		row[1] = strconv.Itoa(c.Mood)
		row[2] = craving
		row[3] = strconv.FormatBool(c.Used)
		row[4] = strings.Join(c.Triggers, "; ")
		row[5] = c.Meeting
		row[6] = c.Note
		row[7] = strconv.FormatBool(c.Unsafe)
		for i := range row {
			row[i] = defuseFormula(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("members: export: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("members: export: %w", err)
	}
	return nil
}

// defuseFormula prefixes a cell a spreadsheet would run as a formula.
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
