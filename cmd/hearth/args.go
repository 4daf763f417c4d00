package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// flagsFirst moves a command's flags ahead of its arguments. urfave/cli v2
// stops reading flags at the first argument, but the CLI contract puts them
// after it ("meetings update ID --name N", "peers add MULTIADDR --trust"),
// and ignoring them silently would be worse than any error.
//
// It walks the command path (global flags, then command names) and reorders
// only the leaf command's arguments, using its flag definitions to know
// which flags take a value. Anything after "--" stays an argument.
func flagsFirst(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	flags, commands := app.Flags, app.Commands
	i := 1
	for i < len(args) {
		// The flags of this level, up to the next command name.
		for i < len(args) && isFlag(args[i]) {
			out = append(out, args[i])
			if takesValue(flags, args[i]) && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
			i++
		}
		if i == len(args) {
			return out
		}
		cmd := findCommand(commands, args[i])
		if cmd == nil {
			// Unknown: urfave reports it with the rest left as it was.
			return append(out, args[i:]...)
		}
		out = append(out, args[i])
		i++
		if len(cmd.Subcommands) == 0 {
			return append(out, reorder(cmd.Flags, args[i:])...)
		}
		flags, commands = cmd.Flags, cmd.Subcommands
	}
	return out
}

// reorder puts flags (with their values) before positional arguments.
func reorder(flags []cli.Flag, args []string) []string {
	var flagArgs, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if !isFlag(a) {
			positional = append(positional, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		if takesValue(flags, a) && i+1 < len(args) {
			flagArgs = append(flagArgs, args[i+1])
			i++
		}
	}
	for _, p := range positional {
		if isFlag(p) {
			// An argument that looks like a flag came after "--": keep the
			// terminator so it stays an argument.
			return append(append(flagArgs, "--"), positional...)
		}
	}
	return append(flagArgs, positional...)
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

// takesValue reports whether flag argument a ("--name", "-n") names a flag
// that reads the next argument as its value.
func takesValue(flags []cli.Flag, a string) bool {
	name := strings.TrimLeft(a, "-")
	if strings.Contains(name, "=") {
		return false
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				_, isBool := f.(*cli.BoolFlag)
				return !isBool
			}
		}
	}
	return false // help flags and unknown ones; urfave reports unknown flags
}

func findCommand(commands []*cli.Command, name string) *cli.Command {
	for _, c := range commands {
		for _, n := range c.Names() {
			if n == name {
				return c
			}
		}
	}
	return nil
}
