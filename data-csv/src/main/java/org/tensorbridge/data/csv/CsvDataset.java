package org.tensorbridge.data.csv;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.tensorbridge.core.Scope;
import org.tensorbridge.data.ArrayDataset;
import org.tensorbridge.ndarray.NDArray;

/**
 * A CSV file as a dataset: numeric feature columns become field "x" (float32, one row per record) and the
 * label column field "y" (int64). Parsed once with Apache Commons CSV (quoting, escapes, CRLF, a header
 * line); an unparseable value is an error naming its line and column.
 */
public final class CsvDataset {
    private CsvDataset() {
    }

    /**
     * Reads {@code path}, whose first line is a header, with {@code labelColumn} (a header name) as the label
     * and every other column as a feature.
     */
    public static ArrayDataset read(Path path, String labelColumn) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get();
        List<float[]> features = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        List<String> featureNames;
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8); CSVParser parser = format.parse(in)) {
            List<String> header = parser.getHeaderNames();
            if (!header.contains(labelColumn)) {
                throw new IllegalArgumentException(path + ": no column '" + labelColumn + "' for the labels; the header has "
                        + header);
            }
            featureNames = header.stream().filter(name -> !name.equals(labelColumn)).toList();
            if (featureNames.isEmpty()) {
                throw new IllegalArgumentException(path + ": only the label column '" + labelColumn + "': no features");
            }
            for (CSVRecord record : parser) {
                long line = parser.getCurrentLineNumber();
                if (!record.isConsistent()) {
                    throw new IllegalArgumentException(path + ": line " + line + " has " + record.size()
                            + " values but the header names " + header.size() + " columns");
                }
                float[] row = new float[featureNames.size()];
                for (int c = 0; c < row.length; c++) {
                    row[c] = (float) number(path, line, featureNames.get(c), record.get(featureNames.get(c)));
                }
                double label = number(path, line, labelColumn, record.get(labelColumn));
                if (label != Math.rint(label)) {
                    throw new IllegalArgumentException(path + ": line " + line + ", column '" + labelColumn + "': label "
                            + record.get(labelColumn) + " is not a whole number (class labels are integers)");
                }
                features.add(row);
                labels.add((long) label);
            }
        }
        if (features.isEmpty()) {
            throw new IllegalArgumentException(path + ": the file has a header but no records");
        }
        float[] flat = new float[features.size() * featureNames.size()];
        for (int r = 0; r < features.size(); r++) {
            System.arraycopy(features.get(r), 0, flat, r * featureNames.size(), featureNames.size());
        }
        long[] y = labels.stream().mapToLong(Long::longValue).toArray();
        try (Scope scope = Scope.open()) {
            NDArray x = NDArray.of(flat, features.size(), featureNames.size());
            return scope.keep(ArrayDataset.of(x, NDArray.of(y)));
        }
    }

    private static double number(Path path, long line, String column, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + ": line " + line + ", column '" + column + "': '" + text
                    + "' is not a number", e);
        }
    }
}
