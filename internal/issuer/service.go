package issuer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// Config sets up the service.
type Config struct {
	Client *client.Client
	// Key signs as an issuer: a key in memory or in a hardware token.
	Key crypto.Signer
	// Proposals is the file where the service remembers the issues it proposed, so
	// that a restart does not propose one again while its proposal may still reach a
	// block; empty, it remembers them while it runs only.
	Proposals string
	// Cursor is the file where the service keeps how far it followed the chain's
	// blocks and the paid orders it is not done with, so that a restart reads only the
	// blocks after it; empty, a start reads the list of paid orders whole.
	Cursor string
	// Rescan is how often the blocks are read even without an event, and the orders
	// the service is not done with (a failed issue, a proposal waiting for approvals)
	// are tried again.
	Rescan time.Duration
	// Parallel is how many issues may wait for their block at once; 0 means 128.
	Parallel int
	Logger   *slog.Logger
}

// Service issues the chips of paid orders.
type Service struct {
	cfg Config
	log *slog.Logger
	// commits waits for the blocks of the service's transactions, all of them with one
	// reading of each block.
	commits *client.Commits
	// slots bounds the issues waiting for their block at once (Config.Parallel).
	slots    chan struct{}
	mu       sync.Mutex
	inFlight map[string]bool
	// lastProblem remembers the last failure per order, so that one is logged once.
	lastProblem map[string]string
	// firstSeen is when the service first took each pending order in hand; metrics
	// are its Prometheus metrics.
	firstSeen map[string]time.Time
	metrics   *metrics
	// proposals are the issues the service proposed, by order (Config.Proposals).
	proposals *proposals
	// cursor is how far the service followed the blocks (Config.Cursor).
	cursor *cursor
	// params are the chain's parameters as the last round that takes up every
	// pending order read them.
	params query.Params
	// readBlock, when set, runs before the service reads a block's events: tests make
	// it fail to stand for a crash at that point. events, when set, stands for the
	// node's subscription to newly paid orders.
	readBlock func(height int64) error
	events    func(ctx context.Context) (<-chan string, error)
}

// Report is the outcome of one pass over the paid orders.
type Report struct {
	Issued []string `json:"issued"`
	// Proposed are the orders whose issue the service proposed: more chips than one
	// issuer may issue alone.
	Proposed []string `json:"proposed"`
	// AwaitApproval are the orders whose proposed issue waits for the other issuers'
	// approvals.
	AwaitApproval   []string `json:"await_approval"`
	Failed          []string `json:"failed"`
	AlreadyInFlight int      `json:"already_in_flight"`
}

// outcome is how the service's work on one order ended.
type outcome int

const (
	failed outcome = iota
	issued
	proposedIssue
	// notPaid is an order found no longer paid: held or reversed.
	notPaid
	outcomes
)

// New returns a service; Run starts it.
func New(cfg Config) *Service {
	if cfg.Rescan <= 0 {
		cfg.Rescan = 2 * time.Second
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 128
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		cfg: cfg, log: cfg.Logger, commits: client.NewCommits(cfg.Client), slots: make(chan struct{}, cfg.Parallel),
		inFlight: make(map[string]bool), lastProblem: make(map[string]string), firstSeen: make(map[string]time.Time),
		proposals: &proposals{file: cfg.Proposals}, cursor: &cursor{file: cfg.Cursor},
	}
	s.metrics = newMetrics(s)
	return s
}

// CheckKey refuses a key that is not one of the chain's issuers: every issue it signed
// would be rejected.
func (s *Service) CheckKey(ctx context.Context) error {
	issuers, err := s.cfg.Client.Issuers(ctx)
	if err != nil {
		return err
	}
	addr, err := crypto.AddressOfSigner(s.cfg.Key)
	if err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	for _, is := range issuers {
		if is.Address == addr {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not among the chain's %d issuers", ErrNotIssuer, addr, len(issuers))
}

// Run follows the chain's committed blocks from the service's cursor and issues every
// order paid in them, until ctx is done: at start it takes up the orders it was not
// done with and reads the blocks after its cursor (or, without one, the list of paid
// orders once). An event of a newly paid order has it read the new blocks at once,
// and every Config.Rescan it reads them anyway and tries again the orders it is not
// done with. It does not wait for one round's issues to reach their blocks before the
// next round: an order paid meanwhile goes into the very next block. A node that does
// not answer is retried with backoff.
func (s *Service) Run(ctx context.Context) error {
	var issuing sync.WaitGroup
	defer func() {
		issuing.Wait()
		if err := s.cursor.save(); err != nil {
			s.log.Warn("cursor not saved", "err", err)
		}
	}()
	events := s.subscribe(ctx)
	tick := time.NewTicker(s.cfg.Rescan)
	defer tick.Stop()
	backoff := time.Duration(0)
	all := true
	for {
		if err := s.round(ctx, &issuing, all); err != nil && ctx.Err() == nil {
			backoff = min(max(2*backoff, 250*time.Millisecond), 30*time.Second)
			s.log.Warn("reading the paid orders failed, retrying", "in", backoff, "err", err)
			all = true
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			continue
		}
		backoff, all = 0, false
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			all = true
		case _, ok := <-events:
			if !ok {
				events = s.subscribe(ctx)
			}
			drain(events)
		}
	}
}

// drain takes the events already waiting: one round reads all their blocks.
func drain(events <-chan string) {
	for range len(events) {
		<-events
	}
}

// subscribe returns the stream of newly paid orders, or nil (the ticker alone then
// drives the service) when the node refuses a subscription. The stream only wakes the
// service: what it issues, it reads from the blocks.
func (s *Service) subscribe(ctx context.Context) <-chan string {
	subscribe := func(ctx context.Context) (<-chan string, error) {
		return s.cfg.Client.SubscribeOrders(ctx, txn.StatusPaid)
	}
	if s.events != nil {
		subscribe = s.events
	}
	ch, err := subscribe(ctx)
	if err != nil {
		s.log.Warn("no event subscription; reading the blocks every rescan only", "err", err)
		return nil
	}
	return ch
}

// round reads the blocks after the cursor and starts the work on the orders paid in
// them; with all, it also takes up every order the service is not done with, with the
// chain's parameters read again. Without a cursor, or when the node no longer holds the
// block after it, it reads the list of paid orders instead.
func (s *Service) round(ctx context.Context, wg *sync.WaitGroup, all bool) error {
	if err := s.cursor.load(s.cfg.Client.ChainID()); err != nil {
		return err
	}
	if err := s.proposals.load(); err != nil {
		return err
	}
	if all || s.params.IssuerThreshold == 0 {
		params, err := s.cfg.Client.Params(ctx)
		if err != nil {
			return err
		}
		s.params = params
	}
	if s.cursor.height() == 0 {
		return s.restart(ctx, wg)
	}
	fresh, err := s.follow(ctx)
	if serr := s.cursor.save(); serr != nil {
		return errors.Join(err, serr)
	}
	if errors.Is(err, errNoBlocks) {
		s.log.Warn("the node no longer holds the blocks after the cursor; reading the paid orders", "cursor", s.cursor.height(), "err", err)
		return s.restart(ctx, wg)
	}
	if err != nil {
		return err
	}
	if all {
		return s.takeUp(ctx, wg)
	}
	pass := &pass{s: s, ctx: ctx}
	for id, chips := range fresh {
		if err := s.dispatch(ctx, wg, pass, txn.Order{ID: id, Chips: chips}, nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// errNoBlocks is a block after the cursor that the node no longer holds.
var errNoBlocks = errors.New("issuer: the node no longer holds the block")

// restart reads the list of paid orders whole and starts the work on each, and puts the
// cursor at the height the state had before: the orders paid after it are in the
// blocks the service reads next.
func (s *Service) restart(ctx context.Context, wg *sync.WaitGroup) error {
	height, err := s.cfg.Client.CommittedHeight(ctx)
	if err != nil {
		return err
	}
	if _, err := s.startPaid(ctx, wg, nil); err != nil {
		return err
	}
	s.cursor.advance(height)
	return s.cursor.save()
}

// follow reads the order events of the blocks after the cursor up to the last one
// committed, and
// moves the cursor over each block read, its paid orders pending first. It returns the
// orders paid in them, with their chips.
func (s *Service) follow(ctx context.Context) (map[string]uint64, error) {
	// Only the blocks the state holds: an issue of an order paid in a block not yet
	// committed would be checked against a state where it is not paid.
	latest, err := s.cfg.Client.CommittedHeight(ctx)
	if err != nil {
		return nil, err
	}
	fresh := map[string]uint64{}
	for h := s.cursor.height() + 1; h <= latest; h++ {
		if s.readBlock != nil {
			if err := s.readBlock(h); err != nil {
				return fresh, err
			}
		}
		events, err := s.cfg.Client.BlockOrderEvents(ctx, h)
		if err != nil {
			if base, berr := s.cfg.Client.Base(ctx); berr == nil && h < base {
				return fresh, fmt.Errorf("%w: height %d, below %d: %w", errNoBlocks, h, base, err)
			}
			return fresh, err
		}
		paid := map[string]uint64{}
		for _, ev := range events {
			id := ev.Attrs["id"]
			switch txn.OrderStatus(ev.Attrs["status"]) {
			case txn.StatusPaid:
				chips, err := strconv.ParseUint(ev.Attrs["chips"], 10, 64)
				if err != nil {
					return fresh, fmt.Errorf("issuer: block %d: order %s's chips %q: %w", h, id, ev.Attrs["chips"], err)
				}
				paid[id] = chips
			case txn.StatusIssued, txn.StatusHeld, txn.StatusReversed:
				// Issued, by this service or another, or no longer paid: nothing to
				// do, until a release pays it again.
				delete(paid, id)
				delete(fresh, id)
				s.settle(id, notPaid)
			}
		}
		s.cursor.take(paid)
		s.cursor.advance(h)
		maps.Copy(fresh, paid)
	}
	return fresh, nil
}

// takeUp starts the work again on every order the service is not done with, as the
// chain has it now: an order no longer paid is done with.
func (s *Service) takeUp(ctx context.Context, wg *sync.WaitGroup) error {
	pass := &pass{s: s, ctx: ctx}
	for id := range s.cursor.pending() {
		if s.busy(id) {
			continue
		}
		o, err := s.cfg.Client.Order(ctx, id)
		switch {
		case errors.Is(err, client.ErrNotFound):
			s.settle(id, notPaid)
			continue
		case err != nil:
			return err
		case o.Status != txn.StatusPaid:
			s.settle(id, notPaid)
			continue
		}
		if err := s.dispatch(ctx, wg, pass, o, nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// IssuePaid makes one pass over the list of paid orders and waits for it: every paid
// order is issued, or its issue proposed or left waiting for the issuers' approvals.
func (s *Service) IssuePaid(ctx context.Context) (Report, error) {
	var mu sync.Mutex
	var done [outcomes][]string
	var wg sync.WaitGroup
	if err := s.cursor.load(s.cfg.Client.ChainID()); err != nil {
		return Report{}, err
	}
	rep, err := s.startPaid(ctx, &wg, func(id string, out outcome) {
		mu.Lock()
		defer mu.Unlock()
		done[out] = append(done[out], id)
	})
	wg.Wait()
	rep.Issued, rep.Proposed, rep.Failed = done[issued], done[proposedIssue], done[failed]
	return rep, errors.Join(err, s.cursor.save())
}

// startPaid starts issuing every paid order that one issuer may issue alone, and
// proposing the issue of every other one no proposal waits for, each in its own
// goroutine counted by wg, at most Config.Parallel waiting for their blocks at once, and
// returns without waiting for them. Every paid order is pending until the service is
// done with it. done, if set, hears how each ended.
//
// The paid orders are read a page at a time, each page's work started before the next
// page is read.
func (s *Service) startPaid(ctx context.Context, wg *sync.WaitGroup, done func(id string, out outcome)) (Report, error) {
	var rep Report
	if err := s.proposals.load(); err != nil {
		return rep, err
	}
	params, err := s.cfg.Client.Params(ctx)
	if err != nil {
		return rep, err
	}
	s.params = params
	pass := &pass{s: s, ctx: ctx, seen: map[string]bool{}}
	after := ""
	for {
		page, err := s.cfg.Client.PaidOrdersPage(ctx, after, 0)
		if err != nil {
			return rep, err
		}
		for _, o := range page.Items {
			pass.seen[o.ID] = true
			s.cursor.take(map[string]uint64{o.ID: o.Chips})
			if err := s.dispatch(ctx, wg, pass, o, &rep, done); err != nil {
				return rep, err
			}
		}
		if page.Next == "" || page.Next == after {
			// The proposals of orders no longer paid are done with: issued, held or
			// reversed.
			return rep, s.proposals.keep(func(order string) bool { return pass.seen[order] })
		}
		after = page.Next
	}
}

// dispatch starts the work on one paid order: its issue if one issuer may issue it
// alone, else its proposal unless one waits for approvals already. rep, if set, counts
// what it started.
func (s *Service) dispatch(ctx context.Context, wg *sync.WaitGroup, pass *pass, o txn.Order, rep *Report, done func(string, outcome)) error {
	if rep == nil {
		rep = &Report{}
	}
	if s.params.Direct(txn.TypeIssue, o.Chips) {
		s.start(ctx, wg, o, rep, done, s.issue)
		return nil
	}
	if s.busy(o.ID) {
		rep.AlreadyInFlight++
		return nil
	}
	waiting, err := pass.waiting(o)
	if err != nil {
		return err
	}
	if waiting != "" {
		rep.AwaitApproval = append(rep.AwaitApproval, o.ID)
		s.problem(o.ID, "awaiting the issuers' approvals", "proposal", waiting, "chips", o.Chips, "threshold", s.params.IssuerThreshold)
		return nil
	}
	s.start(ctx, wg, o, rep, done, s.propose)
	return nil
}

// start runs work on one paid order, unless the order is in flight already.
func (s *Service) start(ctx context.Context, wg *sync.WaitGroup, o txn.Order, rep *Report, done func(string, outcome), work func(context.Context, txn.Order) outcome) {
	s.seen(o.ID)
	if !s.claim(o.ID) {
		rep.AlreadyInFlight++
		return
	}
	wg.Go(func() {
		s.slots <- struct{}{}
		out := work(ctx, o)
		<-s.slots
		s.settle(o.ID, out)
		s.release(o.ID, out != failed)
		if done != nil {
			done(o.ID, out)
		}
	})
}

// settle forgets an order the service is done with: issued, or no longer paid.
func (s *Service) settle(id string, out outcome) {
	if out != issued && out != notPaid {
		return
	}
	s.mu.Lock()
	delete(s.firstSeen, id)
	s.mu.Unlock()
	s.cursor.done(id)
	if err := s.proposals.forget(id); err != nil {
		s.log.Warn("proposals", "err", err)
	}
}

// issue submits the order's issue; "already issued" is success, and an order held or
// no longer paid is done with.
func (s *Service) issue(ctx context.Context, o txn.Order) outcome {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := s.commits.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: o.Chips}, s.cfg.Key)
	var rej *txn.Error
	switch {
	case err == nil:
		s.log.Info("issued", "order", o.ID, "chips", o.Chips, "height", res.Height)
		s.issuedNow(o.ID)
		return issued
	case errors.As(err, &rej) && rej.Code == txn.OrderAlreadyIssued:
		return issued
	case errors.As(err, &rej) && (rej.Code == txn.OrderHeld || rej.Code == txn.OrderNotPaid):
		// A release, which pays it again, is in a block the service reads.
		s.log.Info("not issued: the order is no longer paid", "order", o.ID, "reason", rej.Reason)
		return notPaid
	case errors.Is(context.Cause(ctx), context.Canceled):
		// The service is stopping: the order stays pending, and the next start issues
		// it.
		return failed
	}
	s.problem(o.ID, "issue failed", "err", err)
	return failed
}

// busy reports whether work on the order is in flight.
func (s *Service) busy(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight[id]
}

func (s *Service) claim(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inFlight[id] {
		return false
	}
	s.inFlight[id] = true
	return true
}

func (s *Service) release(id string, issued bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inFlight, id)
	if issued {
		delete(s.lastProblem, id)
	}
}

// problem logs a failure of an order once, until it changes.
func (s *Service) problem(id, msg string, kv ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := msg + fmt.Sprint(kv...)
	if s.lastProblem[id] == key {
		return
	}
	s.lastProblem[id] = key
	s.log.Warn(msg, append([]any{"order", id}, kv...)...)
}
