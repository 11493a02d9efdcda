# PyTorch side of bench/training.ts (benchmark-only; never a runtime dependency). A long-lived
# process driven over stdin/stdout with one JSON command per line, so the TypeScript bench can
# interleave PyTorch epochs with its own and the ratio stays fair on a loaded machine.
#   {"cmd":"setup","samples":N,"features":F,"seq":T,"seed":S}   -> {"ok":true,"torch":"1.13"}
#   {"cmd":"epoch","model":"mlp"|"lstm"|"gru","batch":B}         -> {"seconds":s,"cpu_seconds":c}
#   {"cmd":"threads","n":N}                                        -> {"threads":N}  (intra-op threads)
# Starts on one thread (torch.set_num_threads(1)); the bench asks for more to find PyTorch's best count.
# The KTRDR recipe: class-weighted cross-entropy, Adam(lr 1e-3,
# weight_decay 1e-4), clip_grad_norm_(1.0), dropout 0.2; batches taken by indexing tensors that are
# already in memory (no DataLoader: the fastest form of PyTorch's loop, so the ratio is conservative).
import json
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass


class Mlp(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(f, 64), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(32, 3))

    def forward(self, x):
        return self.net(x)


class Rnn(nn.Module):
    def __init__(self, kind, f):
        super().__init__()
        cls = nn.LSTM if kind == "lstm" else nn.GRU
        self.rnn = cls(f, 64, num_layers=2, batch_first=True, dropout=0.2)
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(64, 3)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(self.drop(out[:, -1, :]))


state = {}


def setup(c):
    g = torch.Generator().manual_seed(c.get("seed", 7))
    n, f, t = c["samples"], c["features"], c.get("seq", 20)
    x = torch.rand(n, f, generator=g)
    s = x[:, 0] + x[:, 1]
    y = torch.where(s > 1.2, 0, torch.where(s < 0.8, 2, 1)).long()
    counts = torch.bincount(y, minlength=3).float()
    w = torch.where(counts > 0, 1.0 / counts.clamp(min=1), torch.zeros(3))
    w = w * 3 / w.sum()
    torch.manual_seed(c.get("seed", 7))
    state.update(f=f, t=t, x=x, y=y, w=w, xs=None, models={})


def windows():
    # Sequence samples: rows i-T+1..i of the same matrix (the shape KTRDR's LSTM strategies train on).
    if state["xs"] is None:
        x, t = state["x"], state["t"]
        idx = torch.arange(x.shape[0]).unsqueeze(1) - torch.arange(t - 1, -1, -1).unsqueeze(0)
        state["xs"] = x[idx.clamp(min=0)]
    return state["xs"]


def model_for(kind):
    if kind not in state["models"]:
        m = Mlp(state["f"]) if kind == "mlp" else Rnn(kind, state["f"])
        opt = torch.optim.Adam(m.parameters(), lr=1e-3, weight_decay=1e-4)
        state["models"][kind] = (m, opt, nn.CrossEntropyLoss(weight=state["w"]))
    return state["models"][kind]


def epoch(c):
    kind, batch = c["model"], c["batch"]
    limit = c.get("samples")
    m, opt, crit = model_for(kind)
    x = state["x"] if kind == "mlp" else windows()
    y = state["y"]
    n = x.shape[0] if limit is None else min(limit, x.shape[0])
    m.train()
    c0 = time.process_time()
    t0 = time.perf_counter()
    perm = torch.randperm(n)
    for i in range(0, n, batch):
        idx = perm[i:i + batch]
        opt.zero_grad()
        loss = crit(m(x[idx]), y[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
    return time.perf_counter() - t0, time.process_time() - c0


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        c = json.loads(line)
        try:
            if c["cmd"] == "setup":
                setup(c)
                out = {"ok": True, "torch": torch.__version__, "threads": torch.get_num_threads()}
            elif c["cmd"] == "epoch":
                seconds, cpu = epoch(c)
                out = {"seconds": seconds, "cpu_seconds": cpu, "threads": torch.get_num_threads()}
            elif c["cmd"] == "threads":
                torch.set_num_threads(int(c["n"]))
                out = {"threads": torch.get_num_threads()}
            else:
                out = {"error": "unknown command " + str(c["cmd"])}
        except Exception as e:  # reported to the bench, which records it
            out = {"error": repr(e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
