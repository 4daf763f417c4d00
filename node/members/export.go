package members

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Export is everything a member wrote, as they take it away: the page's
// JSON download and `hearth checkin export`. Its field names are fixed
// here, apart from CheckIn's (which is what is sealed), so an export reads
// the same whatever the store does inside.
type Export struct {
	Nickname   string            `json:"nickname"`
	Hub        string            `json:"hub"` // the hub's name
	ExportedAt time.Time         `json:"exported_at"`
	SoberSince string            `json:"sober_since,omitempty"` // YYYY-MM-DD
	CheckIns   []ExportedCheckIn `json:"checkins"`              // newest first
	// SafetyPlan is the member's plan, its steps with lines in the plan's
	// order; MyMeetings the listing IDs they marked as theirs.
	SafetyPlan []ExportedPlanStep `json:"safety_plan,omitempty"`
	MyMeetings []string           `json:"my_meetings,omitempty"`
}

// ExportedPlanStep is one step of a safety plan as an export writes it.
type ExportedPlanStep struct {
	Step  PlanStep `json:"step"`
	Title string   `json:"title"` // in English
	Lines []string `json:"lines"`
}

// ExportPlan is a plan's steps with lines, in order, as an export writes
// them.
func ExportPlan(p SafetyPlan) []ExportedPlanStep {
	var out []ExportedPlanStep
	for _, step := range PlanSteps {
		if lines := p.Steps[step]; len(lines) > 0 {
			out = append(out, ExportedPlanStep{Step: step, Title: step.Title(), Lines: lines})
		}
	}
	return out
}

// ExportedCheckIn is a check-in as an export, the JSON API and the CLI's
// --json write it.
type ExportedCheckIn struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"` // UTC
	Mood     int       `json:"mood"`
	Craving  *int      `json:"craving,omitempty"` // left out: not said
	Used     bool      `json:"used"`
	Triggers []string  `json:"triggers"` // [] for none
	Meeting  string    `json:"meeting,omitempty"`
	Note     string    `json:"note,omitempty"`
	Unsafe   bool      `json:"unsafe"`
}

// ExportCheckIns is each check-in in its exported form, in the order given.
func ExportCheckIns(cs []CheckIn) []ExportedCheckIn {
	out := make([]ExportedCheckIn, 0, len(cs))
	for _, c := range cs {
		triggers := c.Triggers
		if triggers == nil {
			triggers = []string{}
		}
		out = append(out, ExportedCheckIn{
			ID: c.ID, At: c.At.UTC(), Mood: c.Mood, Craving: c.Craving, Used: c.Used,
			Triggers: triggers, Meeting: c.Meeting, Note: c.Note, Unsafe: c.Unsafe,
		})
	}
	return out
}

// Export gathers the member's profile, check-ins, safety plan and
// meetings, for a hub named hub.
func (a *Account) Export(hub string) (Export, error) {
	checkIns, err := a.CheckIns()
	if err != nil {
		return Export{}, err
	}
	profile, err := a.Profile()
	if err != nil {
		return Export{}, err
	}
	plan, err := a.SafetyPlan()
	if err != nil {
		return Export{}, err
	}
	mine, err := a.MyMeetings()
	if err != nil {
		return Export{}, err
	}
	e := Export{
		Nickname: a.nick, Hub: hub, ExportedAt: a.b.now().UTC().Truncate(time.Second), CheckIns: ExportCheckIns(checkIns),
		SafetyPlan: ExportPlan(plan), MyMeetings: mine,
	}
	if profile.SoberSince != nil {
		e.SoberSince = profile.SoberSince.Format(time.DateOnly)
	}
	return e, nil
}

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
