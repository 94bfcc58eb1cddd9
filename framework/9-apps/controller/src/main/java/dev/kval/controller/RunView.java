package dev.kval.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.store.RunRow;
import dev.kval.store.StepRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run as the API shows it: its row, its request, per cell the steps so far (the last one is where the cell is), the
 * stored verdicts by status and how many cells are finished.
 */
public record RunView(long id, String uuid, String kind, String state, String outcome, String message, String outDir,
        Instant createdAt, Instant startedAt, Instant finishedAt, JsonNode request, int cellsTotal, int cellsFinished,
        Map<String, Long> results, List<CellView> cells) {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One cell: DONE once its verdicts are stored, else the state of its latest step; its steps in order. */
    public record CellView(String cell, String state, String step, List<StepRow> steps) {
    }

    static RunView of(RunRow r, List<StepRow> steps, Map<String, Long> results, int cellsTotal) {
        Map<String, List<StepRow>> byCell = new LinkedHashMap<>();
        for (StepRow s : steps) {
            byCell.computeIfAbsent(s.cell(), k -> new ArrayList<>()).add(s);
        }
        List<CellView> cells = new ArrayList<>();
        int finished = 0;
        for (Map.Entry<String, List<StepRow>> e : byCell.entrySet()) {
            List<StepRow> ss = e.getValue();
            StepRow last = ss.get(ss.size() - 1);
            boolean stored = ss.stream().anyMatch(s -> s.step().equals("collect") && s.state().equals("DONE"));
            String state = stored ? "DONE" : last.state();
            if (!state.equals("RUNNING") && !state.equals("PENDING") && !state.equals("INTERRUPTED")) {
                finished++;
            }
            cells.add(new CellView(e.getKey(), state, last.step(), ss));
        }
        JsonNode request;
        try {
            request = JSON.readTree(r.request());
        } catch (Exception ex) {
            request = JSON.getNodeFactory().textNode(r.request());
        }
        return new RunView(r.id(), r.uuid(), r.kind(), r.state(), r.outcome(), r.message(), r.outDir(), r.createdAt(), r.startedAt(),
                r.finishedAt(), request, cellsTotal, finished, results, cells);
    }
}
