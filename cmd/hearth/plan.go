package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"hearth/node"
	"hearth/node/members"
)

// planLines is a step's flag: each use adds one line, kept whole (a slice
// flag would cut "Mum, 0722 123 456" at the comma).
type planLines struct {
	lines []string
	set   bool
}

func (p *planLines) Set(v string) error {
	p.lines, p.set = append(p.lines, v), true
	return nil
}

func (p *planLines) String() string { return strings.Join(p.lines, "\n") }

func planCommand() *cli.Command {
	setFlags := []cli.Flag{memberFlag}
	for _, step := range members.PlanSteps {
		setFlags = append(setFlags, &cli.GenericFlag{
			Name:  string(step),
			Usage: fmt.Sprintf("a line of %q (repeat for more; \"\" clears the step)", step.Title()),
			Value: &planLines{},
		})
	}
	return &cli.Command{
		Name:  "plan",
		Usage: "read and write a member's safety plan (each needs the member's PIN)",
		Subcommands: []*cli.Command{
			{
				Name:   "show",
				Usage:  "show a member's safety plan",
				Flags:  []cli.Flag{memberFlag, jsonFlag},
				Action: showPlan,
			},
			{
				Name:      "set",
				Usage:     "replace the steps named, keep the others",
				UsageText: "hearth plan set --member NICK [--warning-signs LINE]... [--alone LINE]... [--people-places LINE]... [--ask LINE]... [--professionals LINE]... [--crisis-lines LINE]... [--safer LINE]...",
				Flags:     setFlags,
				Action:    setPlan,
			},
			{
				Name:   "clear",
				Usage:  "clear a member's whole safety plan",
				Flags:  []cli.Flag{memberFlag},
				Action: clearPlan,
			},
		},
	}
}

func showPlan(c *cli.Context) error {
	nick, err := memberNick(c)
	if err != nil {
		return err
	}
	return withMember(c, false, func(ctx context.Context, op node.Operator, pin string) error {
		plan, err := op.SafetyPlan(ctx, nick, pin)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			// The export's form: the steps with lines, in order.
			steps := members.ExportPlan(plan)
			if steps == nil {
				steps = []members.ExportedPlanStep{}
			}
			return printJSON(c.App.Writer, steps)
		}
		return printPlan(c, nick, plan)
	})
}

func printPlan(c *cli.Context, nick string, plan members.SafetyPlan) error {
	w := c.App.Writer
	if plan.Empty() {
		fmt.Fprintf(w, "%s has no safety plan yet: 'hearth plan set --member %s --warning-signs ...' starts one\n", nick, nick)
		return nil
	}
	fmt.Fprintf(w, "Safety plan of %s (changed %s)\n", nick, plan.Updated.Local().Format(time.DateTime))
	for i, step := range members.PlanSteps {
		fmt.Fprintf(w, "\n%d. %s (--%s)\n", i+1, step.Title(), step)
		lines := plan.Steps[step]
		if len(lines) == 0 {
			fmt.Fprintln(w, "   -")
		}
		for _, line := range lines {
			fmt.Fprintf(w, "   %s\n", line)
		}
	}
	return nil
}

func setPlan(c *cli.Context) error {
	nick, err := memberNick(c)
	if err != nil {
		return err
	}
	edit := members.PlanEdit{}
	for _, step := range members.PlanSteps {
		if p, ok := c.Generic(string(step)).(*planLines); ok && p.set {
			edit[step] = p.lines
		}
	}
	if len(edit) == 0 {
		return usagef("plan set needs at least one step, such as --warning-signs \"can't sleep\": see 'hearth plan set --help'")
	}
	// The members package's own check, before the PIN is asked for.
	if err := edit.Validate(); err != nil {
		return usageError{err.Error()}
	}
	return withMember(c, false, func(ctx context.Context, op node.Operator, pin string) error {
		plan, err := op.EditSafetyPlan(ctx, nick, pin, edit)
		if err != nil {
			return err
		}
		return printPlan(c, nick, plan)
	})
}

func clearPlan(c *cli.Context) error {
	nick, err := memberNick(c)
	if err != nil {
		return err
	}
	edit := members.PlanEdit{}
	for _, step := range members.PlanSteps {
		edit[step] = nil
	}
	return withMember(c, false, func(ctx context.Context, op node.Operator, pin string) error {
		if _, err := op.EditSafetyPlan(ctx, nick, pin, edit); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "cleared the safety plan of %s\n", nick)
		return nil
	})
}
