/* Test-then-set without atomicity: both processes can see the lock free
 * before either sets it. The twin of BrokenMutex in Textbook+Models.swift. */
bit lock;
byte ncrit;
active [2] proctype P() {
again:
  (lock == 0);
  lock = 1;
  ncrit++;
  assert(ncrit == 1);
  ncrit--;
  lock = 0;
  goto again
}
