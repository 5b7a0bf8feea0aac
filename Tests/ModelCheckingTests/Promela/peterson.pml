/* Peterson's algorithm for two processes: the twin of Peterson in
 * Textbook+Models.swift, one Swift rule per Promela statement. */
bool flag[2];
bit turn;
byte ncrit;
active [2] proctype P() {
  bit i = _pid;
again:
  flag[i] = 1;
  turn = 1 - i;
  (flag[1 - i] == 0 || turn == i);
  ncrit++;
  assert(ncrit == 1);
  ncrit--;
  flag[i] = 0;
  goto again
}
