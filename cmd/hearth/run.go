package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"hearth/client/operator"
	"hearth/node"
	"hearth/node/web"
	"hearth/protocol"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "make a new node directory: config.toml, identity key, store; asks for the hub's time zone and country in a terminal",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "the hub's name, shown to members and other hubs"},
			&cli.StringFlag{Name: "timezone", Usage: "the hub's IANA time zone, such as Africa/Nairobi: its \"today\" (default: this machine's, unless that is UTC)"},
			&cli.StringFlag{Name: "country", Usage: "the hub's country, two letters (such as KE): fills help.crisis_lines from Hearth's table (" + strings.Join(node.CrisisLineCountries(), " ") + ")"},
		},
		Action: initNode,
	}
}

func initNode(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	dir, err := nodeDir(c)
	if err != nil {
		return err
	}
	if node.IsNode(dir) {
		return fmt.Errorf("%s: %w; use another --dir", dir, node.ErrExists)
	}
	setup, notes, err := askSetup(c)
	if err != nil {
		return err
	}
	if err := node.InitWith(dir, setup); err != nil {
		return err
	}
	// Opening once creates the store, so init leaves a complete node
	// and shows its peer ID.
	n, err := node.Open(dir, node.Options{})
	if err != nil {
		return err
	}
	defer n.Close()
	fmt.Fprintf(c.App.Writer, "new Hearth node in %s\npeer ID: %s\n", dir, n.ID())
	for _, note := range notes {
		fmt.Fprintln(c.App.Writer, note)
	}
	return n.Close()
}

// askSetup reads the hub's zone and country from the flags, asks for those
// not given when standard input is a terminal, and otherwise takes the
// zone from this machine unless the machine says UTC (a server's zone, not
// its members'). notes tell the operator what was chosen and what is left
// to set.
func askSetup(c *cli.Context) (s node.Setup, notes []string, err error) {
	s.Name = c.String("name")
	in := bufio.NewReader(c.App.Reader)
	interactive := c.App.Reader == os.Stdin && term.IsTerminal(int(os.Stdin.Fd()))
	ask := func(question, def string) (string, error) {
		if def != "" {
			question += " [" + def + "]"
		}
		fmt.Fprint(c.App.ErrWriter, question+": ")
		line, err := in.ReadString('\n')
		if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
			return "", fmt.Errorf("nothing made: %w", err)
		}
		return cmp.Or(strings.TrimSpace(line), def), nil
	}

	s.Timezone = c.String("timezone")
	machine, useful := node.MachineZone()
	switch {
	case s.Timezone != "":
	case interactive:
		def := ""
		if useful {
			def = machine
		}
		for {
			if s.Timezone, err = ask("The hub's time zone, as a place such as Africa/Nairobi or America/Los_Angeles", def); err != nil {
				return s, nil, err
			}
			if s.Timezone == "" {
				break
			}
			if _, zerr := protocol.LoadTimezone(s.Timezone); zerr == nil {
				break
			}
			fmt.Fprintf(c.App.ErrWriter, "%q is not a zone this machine knows: type a name such as Europe/London, or press Enter to leave it unset\n", s.Timezone)
		}
	case useful:
		s.Timezone = machine
	}
	if s.Timezone != "" {
		if _, err := protocol.LoadTimezone(s.Timezone); err != nil {
			return s, nil, usagef("--timezone: %v", err)
		}
		notes = append(notes, "time zone: "+s.Timezone)
	} else {
		notes = append(notes, "time zone: not set; this machine's ("+cmp.Or(machine, "UTC")+") will be used: set listings.default_timezone in config.toml, or run 'hearth init --timezone'")
	}

	country := c.String("country")
	if country == "" && interactive {
		if country, err = ask("The hub's country, two letters such as KE, for its crisis lines ('-' to set them yourself in config.toml)", node.CountryOfZone(s.Timezone)); err != nil {
			return s, nil, err
		}
		if country == "-" {
			country = ""
		}
	}
	switch lines, ok := node.CrisisLinesFor(country); {
	case ok:
		s.CrisisLines = lines.Lines
		notes = append(notes, fmt.Sprintf("crisis lines for %s, from %s (checked %s; check them yourself): %s",
			lines.Name, strings.Join(lines.Sources, ", "), node.CrisisLinesChecked, strings.Join(lines.Lines, "; ")))
	case country != "":
		if !interactive || c.IsSet("country") {
			return s, nil, usagef("--country %s: Hearth has no crisis lines for it; leave it out and set help.crisis_lines in config.toml (known: %s)", country, strings.Join(node.CrisisLineCountries(), " "))
		}
		notes = append(notes, "Hearth has no crisis lines for "+country+" (it has: "+strings.Join(node.CrisisLineCountries(), " ")+")")
		fallthrough
	default:
		notes = append(notes, "crisis lines: none set; until you set help.crisis_lines in config.toml, every help page says so and tells members to call their local emergency number")
	}
	return s, notes, nil
}

func runCommand() *cli.Command {
	return &cli.Command{
		Name:  "run",
		Usage: "run the hub in the foreground until Ctrl-C (SIGINT) or SIGTERM; makes the node directory if empty",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "listen", Usage: "multiaddr to listen on for other hubs (repeat for more); replaces network.listen"},
			&cli.StringFlag{Name: "web", Usage: "HOST:PORT of the member page and JSON API; replaces web.listen"},
			&cli.BoolFlag{Name: "mdns", Value: true, Usage: "find hubs on the local network (--mdns=false to turn off); replaces network.mdns"},
		},
		Action: runNode,
	}
}

func runNode(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	dir, err := nodeDir(c)
	if err != nil {
		return err
	}
	// A node already serving the directory is found on its socket before
	// touching the store, so the operator never sees the store's lock error.
	if remote, err := operator.Dial(dir); err == nil {
		remote.Close()
		return alreadyRunning(dir)
	}
	if !node.IsNode(dir) {
		// Not asked: a node started in a new directory takes this
		// machine's zone unless it is UTC, as init does without a terminal.
		var setup node.Setup
		if zone, useful := node.MachineZone(); useful {
			setup.Timezone = zone
		}
		if err := node.InitWith(dir, setup); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "new Hearth node in %s\n", dir)
	}
	release, err := lockForRun(c, dir)
	if err != nil {
		return err
	}
	defer release()
	cfg, err := node.LoadConfig(node.ConfigPath(dir))
	if err != nil {
		return err
	}
	if c.IsSet("listen") {
		cfg.Network.Listen = c.StringSlice("listen")
	}
	if c.IsSet("web") {
		cfg.Web.Listen = c.String("web")
	}
	if c.IsSet("mdns") {
		cfg.Network.MDNS = c.Bool("mdns")
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%v (from the command line or %s)", err, node.ConfigPath(dir))
	}

	logger := slog.New(slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: slog.LevelInfo}))
	n, err := node.Open(dir, node.Options{Config: &cfg, Logger: logger, Web: func(n *node.Node) http.Handler { return web.Handler(n, web.Options{Logger: logger}) }})
	if err != nil {
		return err
	}
	defer n.Close()

	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	select {
	case <-n.Ready():
		if err := printRunning(ctx, c, dir, n, cfg); err != nil {
			cancel()
			<-done
			return err
		}
		err = <-done
	case err = <-done:
	}
	if err != nil {
		return err
	}
	if err := n.Close(); err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, "Hearth hub stopped")
	return nil
}

// runWait is how long 'hearth run' waits for a command that has the
// store open (an import of a big feed takes seconds) before giving up.
const runWait = time.Minute

// lockForRun takes the directory's lock for the node's whole life, before
// the store is opened, so a command started meanwhile waits for the socket
// instead of taking the store from under a starting node. If a command
// holds it, the node waits for it, saying so once.
func lockForRun(c *cli.Context, dir string) (release func(), err error) {
	deadline := time.Now().Add(runWait)
	said := false
	for {
		release, err := node.LockDir(dir, true)
		if err == nil {
			return release, nil
		}
		if !errors.Is(err, node.ErrDirBusy) {
			return nil, err
		}
		if remote, err := operator.Dial(dir); err == nil {
			remote.Close()
			return nil, alreadyRunning(dir)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w (%s): another hearth command has had it open for over %v; let it finish or stop it, then run again", node.ErrDirBusy, dir, runWait)
		}
		if !said {
			fmt.Fprintf(c.App.ErrWriter, "waiting for another hearth command to finish with %s\n", dir)
			said = true
		}
		select {
		case <-c.Context.Done():
			return nil, c.Context.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// alreadyRunning is the error for a directory whose node answers on its
// socket: the same sentinel the node wraps when its store is taken.
func alreadyRunning(dir string) error {
	return fmt.Errorf("%w (%s): stop it or use another --dir", node.ErrRunning, dir)
}

// printRunning tells the operator how to reach the hub, on stdout, once it
// is ready: scripts and tests wait for the "member page:" line.
func printRunning(ctx context.Context, c *cli.Context, dir string, n *node.Node, cfg node.Config) error {
	id, err := n.Identity(ctx)
	if err != nil {
		return err
	}
	status, err := n.Status(ctx)
	if err != nil {
		return err
	}
	w := c.App.Writer
	if cfg.Name != "" {
		fmt.Fprintf(w, "Hearth hub %s is running\n", cfg.Name)
	} else {
		fmt.Fprintf(w, "Hearth hub is running (give it a name in %s)\n", node.ConfigPath(dir))
	}
	fmt.Fprintf(w, "peer ID: %s\n", id.ID)
	for _, a := range id.Addrs {
		fmt.Fprintf(w, "listening on: %s\n", a)
	}
	urls := status.WebURLs()
	fmt.Fprintf(w, "member page: %s\n", urls[0])
	for _, u := range urls[1:] {
		fmt.Fprintf(w, "  also at: %s\n", u)
	}
	if !status.TLS && !node.IsLoopback(status.Web) {
		fmt.Fprintln(c.App.ErrWriter, "warning: the member page is plain HTTP on the network (web.allow_plain_http_on_lan): anyone on it can read members' PINs and check-ins; see the README to add TLS")
	}
	return nil
}

// noArgs refuses arguments to a command that takes none: a stray word is
// usually a flag typed without its dashes.
func noArgs(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("'%s' takes no arguments, got %q: see '%s --help'", c.Command.HelpName, c.Args().First(), c.Command.HelpName)
	}
	return nil
}

// oneArg returns the single argument a command takes, named what in errors.
func oneArg(c *cli.Context, what string) (string, error) {
	if c.NArg() != 1 {
		return "", usagef("'%s' needs one %s: see '%s --help'", c.Command.HelpName, what, c.Command.HelpName)
	}
	return c.Args().First(), nil
}
