package node

import (
	"context"

	"hearth/node/members"
)

// The member methods of Operator: each unlocks the member with their PIN
// first, so the operator's terminal can do nothing with a member's data
// that the member could not.

// ListMembers lists member accounts: nicknames and counts, nothing private.
func (n *Node) ListMembers(context.Context) ([]members.Summary, error) {
	return n.members.List()
}

// AddMember makes a member account.
func (n *Node) AddMember(_ context.Context, nick, pin string) error {
	return n.members.Add(nick, pin)
}

// RemoveMember erases a member and everything they wrote.
func (n *Node) RemoveMember(_ context.Context, nick, pin string) error {
	return n.members.Remove(nick, pin)
}

// AddCheckIn records a check-in for a member.
func (n *Node) AddCheckIn(_ context.Context, nick, pin string, c members.CheckIn) (members.CheckIn, error) {
	acct, err := n.members.Unlock(nick, pin)
	if err != nil {
		return members.CheckIn{}, err
	}
	return acct.AddCheckIn(c)
}

// CheckIns returns a member's check-ins, newest first.
func (n *Node) CheckIns(_ context.Context, nick, pin string) ([]members.CheckIn, error) {
	acct, err := n.members.Unlock(nick, pin)
	if err != nil {
		return nil, err
	}
	return acct.CheckIns()
}

// EraseCheckIns erases everything a member wrote, for good: their wrapped
// key is dropped (crypto-shredding) and their records deleted, so the
// account goes too, as "erase everything" on the member page.
func (n *Node) EraseCheckIns(_ context.Context, nick, pin string) error {
	acct, err := n.members.Unlock(nick, pin)
	if err != nil {
		return err
	}
	return acct.Erase()
}
