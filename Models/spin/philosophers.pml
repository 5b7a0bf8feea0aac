/* Dining philosophers, left fork first: the twin of DiningPhilosophers in
 * Textbook+Models.swift, statement for statement (one d_step per rule).
 * Run with -DN=3 or -DN=5. Reachable states are the cyclic words over
 * {thinking, has-left, eating} in which no eater is followed by a fork
 * holder: trace(M^N) for M = [[1,1,1],[1,1,1],[1,0,0]], the companion Pell
 * numbers 2, 6, 14, 34, 82 (OEIS A002203): 14 for N=3, 82 for N=5. */
#ifndef N
#define N 3
#endif
bit fork[N];
active [N] proctype phil() {
  byte i = _pid;
  do
  :: d_step { fork[i] == 0 -> fork[i] = 1 };
     d_step { fork[(i+1)%N] == 0 -> fork[(i+1)%N] = 1 };
     d_step { fork[i] = 0; fork[(i+1)%N] = 0 }
  od
}
