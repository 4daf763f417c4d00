package main

import (
	"io"
	"slices"
	"testing"
)

func TestFlagsFirst(t *testing.T) {
	app := newApp(io.Discard, io.Discard)
	cases := []struct {
		in, want []string
	}{
		{
			[]string{"hearth", "peers", "add", "/ip4/1.2.3.4/tcp/1/p2p/X", "--trust"},
			[]string{"hearth", "peers", "add", "--trust", "/ip4/1.2.3.4/tcp/1/p2p/X"},
		},
		{
			[]string{"hearth", "--dir", "/d", "meetings", "update", "hope", "--name", "New name", "--type", "O"},
			[]string{"hearth", "--dir", "/d", "meetings", "update", "--name", "New name", "--type", "O", "hope"},
		},
		{
			[]string{"hearth", "--dir=/d", "meetings", "update", "hope", "--time=19:00"},
			[]string{"hearth", "--dir=/d", "meetings", "update", "--time=19:00", "hope"},
		},
		{
			// A value that looks like an argument stays with its flag.
			[]string{"hearth", "meetings", "list", "--day", "2", "--all"},
			[]string{"hearth", "meetings", "list", "--day", "2", "--all"},
		},
		{
			// After "--", a dash is an argument.
			[]string{"hearth", "members", "add", "--", "-odd-nick"},
			[]string{"hearth", "members", "add", "--", "-odd-nick"},
		},
		{
			[]string{"hearth", "frobnicate", "x", "--y"},
			[]string{"hearth", "frobnicate", "x", "--y"},
		},
		{
			[]string{"hearth"},
			[]string{"hearth"},
		},
	}
	for _, tc := range cases {
		if got := flagsFirst(app, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("flagsFirst(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
