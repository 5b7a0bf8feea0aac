from model import *
write("inv_bound", decls(*STATE) + hyp_inv(CUR),
      "(and (bvule h (_ bv9 64)) (bvule d (_ bv5 64)) (bvule s (_ bv24 64)))")
