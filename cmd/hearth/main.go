// Command hearth runs and operates a Hearth hub: a libp2p node that shares
// signed meeting listings with other hubs and keeps its members' check-ins
// private.
//
// The CLI is thin: it parses flags and calls a node.Operator, which is the
// running node (over its operator socket) or, when none runs, the node's
// store opened in this process.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
)

// Exit codes: scripts can tell a typo from a refusal.
const (
	exitFailure = 1 // the command ran and failed
	exitUsage   = 2 // the command line was wrong
)

func main() {
	os.Exit(runApp(os.Args, os.Stdout, os.Stderr))
}

// runApp runs the CLI and returns the process exit code. Every failure ends
// as one line on stderr, prefixed "hearth: ".
func runApp(args []string, stdout, stderr io.Writer) int {
	// Commands stop at SIGINT/SIGTERM through their context; `run` shuts the
	// node down cleanly, the others abandon their call.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, a second one kills at once: an operator
		// pressing Ctrl-C twice means it.
		<-ctx.Done()
		stop()
	}()

	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, flagsFirst(app, args))
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "hearth: "+oneLine(err.Error()))
	var usage usageError
	if errors.As(err, &usage) {
		return exitUsage
	}
	return exitFailure
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "hearth",
		HelpName:  "hearth",
		Usage:     "run and operate a Hearth hub for peer-support communities",
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{
				Name:    "dir",
				Usage:   "the node directory",
				EnvVars: []string{"HEARTH_DIR"},
				Value:   "~/.hearth",
			},
		},
		Commands: []*cli.Command{
			initCommand(),
			runCommand(),
			idCommand(),
			statusCommand(),
			peersCommand(),
			meetingsCommand(),
			membersCommand(),
			checkinCommand(),
			planCommand(),
			tlsCommand(),
		},
		HideVersion: true,
		// Errors are printed once, by runApp; urfave's handler would exit
		// the process from inside the library.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
		Action:         rootAction,
	}
	for _, c := range app.Commands {
		setUsageErrorHandlers(c)
	}
	return app
}

// usageError is a wrong command line, as opposed to a command that failed.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// onUsageError turns urfave's flag errors into one line instead of the help
// dump urfave prints by default.
func onUsageError(c *cli.Context, err error, _ bool) error {
	return usagef("%v: see '%s --help'", err, c.Command.HelpName)
}

func setUsageErrorHandlers(c *cli.Command) {
	c.OnUsageError = onUsageError
	if len(c.Subcommands) > 0 && c.Action == nil {
		c.Action = groupAction
	}
	for _, sub := range c.Subcommands {
		setUsageErrorHandlers(sub)
	}
}

// groupAction runs for a command group given no known subcommand: help if
// nothing was asked, a one-line error if something unknown was.
func groupAction(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("unknown command %q: see '%s --help'", c.Command.HelpName+" "+c.Args().First(), c.Command.HelpName)
	}
	return cli.ShowSubcommandHelp(c)
}

// rootAction is groupAction for hearth itself.
func rootAction(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("unknown command %q: see 'hearth --help'", c.Args().First())
	}
	return cli.ShowAppHelp(c)
}

// oneLine keeps an error on one line, whatever a library put in it.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r\n", "; ")
	return strings.ReplaceAll(s, "\n", "; ")
}

// nodeDir is the --dir flag with a leading ~ expanded, as a shell would
// for the default and for HEARTH_DIR=~/hub.
func nodeDir(c *cli.Context) (string, error) {
	dir := c.String("dir")
	if dir == "" {
		return "", usagef("--dir is empty: give the node directory")
	}
	if dir == "~" || strings.HasPrefix(dir, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find your home directory for %s (%v): use --dir", dir, err)
		}
		dir = filepath.Join(home, strings.TrimPrefix(dir, "~"))
	}
	return filepath.Clean(dir), nil
}
