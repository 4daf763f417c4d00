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
func (n *Node) AddMember(ctx context.Context, nick, pin string) error {
	_, err := n.members.Add(ctx, nick, pin)
	return err
}

// RemoveMember erases a member and everything they wrote.
func (n *Node) RemoveMember(ctx context.Context, nick, pin string) error {
	return n.members.Remove(ctx, nick, pin)
}

// UnlockMember clears the wrong-PIN count and lock of a nickname, so its
// member may sign in at once; it returns how many attempts were counted
// (0: it was not locked). A nickname no member has is cleared the same way.
func (n *Node) UnlockMember(_ context.Context, nick string) (int, error) {
	return n.members.ResetLockout(nick)
}

// AddCheckIn records a check-in for a member.
func (n *Node) AddCheckIn(ctx context.Context, nick, pin string, c members.CheckIn) (members.CheckIn, error) {
	acct, err := n.members.Unlock(ctx, nick, pin)
	if err != nil {
		return members.CheckIn{}, err
	}
	return acct.AddCheckIn(c)
}

// CheckIns returns a member's check-ins, newest first.
func (n *Node) CheckIns(ctx context.Context, nick, pin string) ([]members.CheckIn, error) {
	acct, err := n.members.Unlock(ctx, nick, pin)
	if err != nil {
		return nil, err
	}
	return acct.CheckIns()
}

// ExportCheckIns is everything a member wrote, as the page's download
// gives it to them.
func (n *Node) ExportCheckIns(ctx context.Context, nick, pin string) (members.Export, error) {
	acct, err := n.members.Unlock(ctx, nick, pin)
	if err != nil {
		return members.Export{}, err
	}
	return acct.Export(n.cfg.Name)
}

// EraseCheckIns erases everything a member wrote, for good: their wrapped
// key is dropped (crypto-shredding) and their records deleted, so the
// account goes too, as "erase everything" on the member page.
func (n *Node) EraseCheckIns(ctx context.Context, nick, pin string) error {
	acct, err := n.members.Unlock(ctx, nick, pin)
	if err != nil {
		return err
	}
	return acct.Erase()
}

// SafetyPlan returns a member's safety plan (empty if they have none).
func (n *Node) SafetyPlan(ctx context.Context, nick, pin string) (members.SafetyPlan, error) {
	acct, err := n.members.Unlock(ctx, nick, pin)
	if err != nil {
		return members.SafetyPlan{}, err
	}
	return acct.SafetyPlan()
}

// EditSafetyPlan replaces the steps of a member's safety plan named in
// edit, keeps the others, and returns the plan as stored.
func (n *Node) EditSafetyPlan(ctx context.Context, nick, pin string, edit members.PlanEdit) (members.SafetyPlan, error) {
	acct, err := n.members.Unlock(ctx, nick, pin)
	if err != nil {
		return members.SafetyPlan{}, err
	}
	return acct.EditSafetyPlan(edit)
}
