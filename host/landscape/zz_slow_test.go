package landscape
import ("testing";"time")
func TestZZSlow(t *testing.T){
 for _, s := range []string{"x128*x1", "sum(sum(xi*xj in xj) in xi)+x128", "sum(sum(sum(xi in xj) in xk) in xl)+x128", "sum(xi in xi)*sum(xi in xi)+x128", "sum(xi*x1 in xi)+x99", "sin(sum(xi in xi))+x128"} {
   t0:=time.Now(); l,err:=Parse(s,0); t1:=time.Since(t0)
   if err==nil { exercise(t,l) }
   t.Logf("%q: parse %v total %v err %v", s, t1, time.Since(t0), err)
 }
}
