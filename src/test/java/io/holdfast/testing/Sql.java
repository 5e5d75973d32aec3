package io.holdfast.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads straight from the test database, for what no API shows. */
public final class Sql {

  private Sql() {}

  /** The first column of the first row a query returns, as a number; fails when there is none. */
  public static long single(Connection c, String sql) throws SQLException {
    return first(c, sql, rs -> rs.getLong(1));
  }

  /** The first column of the first row a query returns, as text; fails when there is none. */
  public static String text(Connection c, String sql) throws SQLException {
    return first(c, sql, rs -> rs.getString(1));
  }

  private interface Column<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private static <T> T first(Connection c, String sql, Column<T> column) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        throw new AssertionError("No row for: " + sql);
      }
      return column.read(rs);
    }
  }
}
