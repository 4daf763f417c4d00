package members

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hearth/node/problem"
	"hearth/store"
)

// A personal safety plan, as the Stanley–Brown Safety Planning
// Intervention writes one (Stanley & Brown, 2012): a short list, in the
// member's own words, of what to do when a hard moment comes, step after
// step, each for when the one before is not enough. It is sealed under the
// member's data key like their check-ins: only they can read it.

// PlanStep is one step of a safety plan. Its value is its name in URLs,
// forms and CLI flags.
type PlanStep string

// The steps, in the plan's order.
const (
	StepWarningSigns  PlanStep = "warning-signs" // thoughts, moods, situations that come before a crisis
	StepAlone         PlanStep = "alone"         // things to do on one's own to take one's mind off it
	StepPeoplePlaces  PlanStep = "people-places" // people and places that help, as company or distraction
	StepAsk           PlanStep = "ask"           // people to ask for help
	StepProfessionals PlanStep = "professionals" // professionals and services to contact
	StepCrisisLines   PlanStep = "crisis-lines"  // crisis lines of the member's own (the hub's are shown besides)
	StepSafer         PlanStep = "safer"         // making one's place safer
)

// PlanSteps are the steps in order.
var PlanSteps = []PlanStep{StepWarningSigns, StepAlone, StepPeoplePlaces, StepAsk, StepProfessionals, StepCrisisLines, StepSafer}

// planTitles are the steps' names in English, for the CLI; the page has
// them in each of its languages.
var planTitles = map[PlanStep]string{
	StepWarningSigns:  "Warning signs",
	StepAlone:         "Things I can do on my own",
	StepPeoplePlaces:  "People and places that help",
	StepAsk:           "People I can ask for help",
	StepProfessionals: "Professionals I can call",
	StepCrisisLines:   "Crisis lines",
	StepSafer:         "Making my place safer",
}

// Title is the step's name in English.
func (s PlanStep) Title() string { return planTitles[s] }

// String is the step's name in English, as the problems below say it.
func (s PlanStep) String() string { return s.Title() }

// MessageKey is the key of the step's name in the page's catalogues, so a
// page that says a problem naming a step says the step in its language.
func (s PlanStep) MessageKey() string { return "plan." + string(s) }

// Limits on a plan: a step is a few short lines a member can read at a
// glance on a bad night, not an essay.
const (
	MaxPlanStepChars = 1000 // characters in one step, its lines together
	MaxPlanStepLines = 20
)

// ErrInvalidPlan: EditSafetyPlan was given a step that breaks the rules.
// The error is a *problem.Error that says which step and why.
var ErrInvalidPlan = errors.New("invalid safety plan")

var (
	errPlanStep  = problem.Define("plan.nostep", "there is no step %q in a safety plan", ErrInvalidPlan)
	errPlanLong  = problem.Define("plan.long", "%q is too long: at most %d characters", ErrInvalidPlan)
	errPlanLines = problem.Define("plan.lines", "%q has too many lines: at most %d", ErrInvalidPlan)
	errPlanText  = problem.Define("plan.text", "%q must be plain text", ErrInvalidPlan)
)

// SafetyPlan is a member's plan: each step's lines, in order.
type SafetyPlan struct {
	Steps   map[PlanStep][]string `json:"steps,omitempty"`
	Updated time.Time             `json:"updated,omitzero"`
}

// Empty reports whether no step has a line.
func (p SafetyPlan) Empty() bool {
	for _, lines := range p.Steps {
		if len(lines) > 0 {
			return false
		}
	}
	return true
}

// PlanEdit is new text for some steps: each step named is replaced (an
// empty list clears it), the others are kept. An entry may hold several
// lines; each line is one item of the step.
type PlanEdit map[PlanStep][]string

// Validate checks e as EditSafetyPlan will, for a caller that wants to know
// before it asks for the PIN. The error is a *problem.Error matching
// ErrInvalidPlan.
func (e PlanEdit) Validate() error {
	_, err := e.normalize()
	return err
}

// normalize checks e and returns each step's lines as stored: split at line
// breaks, spaces trimmed, tabs made spaces, empty lines dropped.
func (e PlanEdit) normalize() (map[PlanStep][]string, error) {
	out := make(map[PlanStep][]string, len(e))
	for step, entries := range e {
		if planTitles[step] == "" {
			return nil, errPlanStep.With(string(step))
		}
		var lines []string
		chars := 0
		for _, entry := range entries {
			if !utf8.ValidString(entry) {
				return nil, errPlanText.With(step)
			}
			for line := range strings.SplitSeq(strings.ReplaceAll(entry, "\r\n", "\n"), "\n") {
				line = strings.TrimSpace(strings.ReplaceAll(line, "\t", " "))
				if line == "" {
					continue
				}
				if strings.ContainsFunc(line, unicode.IsControl) {
					return nil, errPlanText.With(step)
				}
				if chars > 0 {
					chars++ // the line break between two lines
				}
				chars += utf8.RuneCountInString(line)
				lines = append(lines, line)
			}
		}
		switch {
		case chars > MaxPlanStepChars:
			return nil, errPlanLong.With(step, MaxPlanStepChars)
		case len(lines) > MaxPlanStepLines:
			return nil, errPlanLines.With(step, MaxPlanStepLines)
		}
		out[step] = lines
	}
	return out, nil
}

// SafetyPlan opens the member's plan; an empty one if they have none.
func (a *Account) SafetyPlan() (SafetyPlan, error) {
	if _, err := a.member(); err != nil {
		return SafetyPlan{}, err
	}
	return a.safetyPlan()
}

func (a *Account) safetyPlan() (SafetyPlan, error) {
	var p SafetyPlan
	sealed, err := a.b.st.GetSafetyPlan(a.nick)
	if errors.Is(err, store.ErrNotFound) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("members: safety plan: %w", err)
	}
	err = a.openRecord("safety plan", sealed, adPlan(a.nick), &p)
	return p, err
}

// EditSafetyPlan replaces the steps named in e, keeps the others, and
// stores the plan sealed, flushed to disk before it returns; a plan left
// with no line is deleted. It returns the plan as stored. A step against
// the rules gives a *problem.Error matching ErrInvalidPlan, and nothing
// is changed.
func (a *Account) EditSafetyPlan(e PlanEdit) (SafetyPlan, error) {
	steps, err := e.normalize()
	if err != nil {
		return SafetyPlan{}, err
	}
	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return SafetyPlan{}, err
	}
	p, err := a.safetyPlan()
	if err != nil {
		return SafetyPlan{}, err
	}
	if p.Steps == nil {
		p.Steps = map[PlanStep][]string{}
	}
	for step, lines := range steps {
		if len(lines) == 0 {
			delete(p.Steps, step)
		} else {
			p.Steps[step] = lines
		}
	}
	var sealed []byte
	if p.Empty() {
		p = SafetyPlan{}
	} else {
		p.Updated = a.b.now().UTC().Truncate(time.Second)
		if sealed, err = a.sealRecord(p, adPlan(a.nick)); err != nil {
			return SafetyPlan{}, err
		}
	}
	if err := a.b.st.PutSafetyPlan(a.nick, sealed); errors.Is(err, store.ErrNotFound) {
		return SafetyPlan{}, ErrErased
	} else if err != nil {
		return SafetyPlan{}, fmt.Errorf("members: safety plan: %w", err)
	}
	return p, nil
}
