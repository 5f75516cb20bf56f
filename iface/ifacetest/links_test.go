package ifacetest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

func TestLinks(t *testing.T) {
	l := ifacetest.NewLinks()
	select {
	case <-l.Ready():
		t.Fatal("ready before the first change")
	default:
	}
	eth0 := iface.Link{Index: 2, Name: "eth0", Up: true}
	vlan := iface.Link{Index: 3, Name: "eth0.10", VLANID: 10, ParentIndex: 2, Parent: "eth0"}
	l.Set(eth0)
	l.Update(vlan)
	<-l.Ready()
	<-l.Changes() // two changes, one notification
	select {
	case <-l.Changes():
		t.Fatal("changes not coalesced")
	default:
	}
	got := l.Links()
	if diff := cmp.Diff(map[string]iface.Link{"eth0": eth0, "eth0.10": vlan}, got); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	delete(got, "eth0") // a copy
	l.Delete("eth0.10")
	<-l.Changes()
	if diff := cmp.Diff(map[string]iface.Link{"eth0": eth0}, l.Links()); diff != "" {
		t.Errorf("links after Delete (-want +got):\n%s", diff)
	}
}
